import ArgumentParser
import MyceliumKit

@main
struct Mycelium: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mycelium",
        abstract: "Typed pub/sub over TCP and Unix sockets, with pooled buffers.",
        version: MyceliumVersion.current,
        subcommands: [
            ImportCommand.self, ContractsCommand.self, GenerateCommand.self, SizesCommand.self, PoolsCommand.self,
            ServeCommand.self,
            StatsCommand.self, ConnectionsCommand.self, PublishCommand.self, SubscribeCommand.self, BenchCommand.self,
            AuthCommand.self,
        ]
    )
}
