import Foundation
import MyceliumKit
import Testing

/// The README's quick start, as a new user types it: `serve`; `subscribe Trade --count 1 &`,
/// wait for its `subscribed to` line, `publish`. The line is printed only once the broker has
/// confirmed the subscription, so the message is never lost: run 20 times in a row.
@Suite struct QuickStartTests {
    private static let trade = #"{"instrument_id":7,"price":-5,"quantity":3,"side":1,"timestamp_ns":9}"#

    @Test func theQuickStartNeverLosesTheMessage() async throws {
        let cli = try CLI()
        let serve = try await ServeProcess(cli, ["--tcp", "127.0.0.1:0", "--unix", cli.path("quick.sock")])
        guard case .tcp(let host, let port) = try #require(serve.addresses.first) else {
            Issue.record("serve printed no TCP address: \(serve.listeningLine)")
            return
        }
        let endpoint = "\(host):\(port)"
        for round in 1...20 {
            let subscriber = try RunningCLI(cli, "subscribe", "Trade", "--count", "1", "--tcp", endpoint)
            try await subscriber.waitForStderr("subscribed to Trade (1101) at \(endpoint)")
            let published = try await cli.run("publish", "Trade", "--json", Self.trade, "--tcp", endpoint)
            #expect(published.status == 0, "round \(round): \(published.stderr)")
            let received = try await subscriber.finish()
            #expect(received.status == 0, "round \(round): \(received.stderr)")
            #expect(
                received.stdout == #"{"type":"Trade","type_id":1101,"message":\#(Self.trade)}"# + "\n",
                "round \(round)")
        }
        #expect(try await serve.stop() == 0)
    }
}
