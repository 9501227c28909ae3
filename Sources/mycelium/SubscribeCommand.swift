import ArgumentParser
import ContractStore
import Foundation
import MyceliumKit
import UnixSignals

/// `mycelium subscribe NAME|TYPE_ID... [--json | --raw] [--count N]`.
struct SubscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Print the messages of some types as they arrive, one line each.",
        discussion: """
            --json (the default) prints {"type":"Trade","type_id":1101,"message":{...}}, which \
            `mycelium publish` reads back; --raw prints the type id and the payload in hex. \
            Once subscribed, says so on stderr. Exits 0 after --count messages, or on SIGINT \
            or SIGTERM.
            """
    )

    /// How each message is printed.
    enum Format: String, EnumerableFlag {
        case json, raw

        static func help(for value: Format) -> ArgumentHelp? {
            switch value {
            case .json: "Print each message as a JSON line."
            case .raw: "Print each message as its type id and payload in hex."
            }
        }
    }

    @OptionGroup var catalogOptions: CatalogOptions

    @OptionGroup var endpoint: EndpointOptions

    @Argument(help: "The message names or type ids.")
    var messages: [String] = []

    @Flag var format = Format.json

    @Option(help: "Exit after this many messages.")
    var count: Int?

    func validate() throws {
        guard !messages.isEmpty else {
            throw ValidationError("name at least one message or type id, e.g. mycelium subscribe Trade")
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        try await reportingAsyncErrors {
            var lookup = try MessageLookup(catalogOptions)
            var codecs: [UInt16: MessageCodec] = [:]
            for name in messages {
                let codec = try lookup.codec(for: name)
                codecs[codec.message.typeID] = codec
            }
            let client = try await endpoint.connect(digest: try lookup.digest(), peerName: "mycelium subscribe")
            let typeIDs = codecs.keys.sorted()
            let stream = try await client.subscribe(typeIDs)
            // Closing ends the stream with `.closed`, which the loop below takes as the end.
            let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
            let watcher = Task {
                for await _ in signals {
                    try? await client.close()
                    return
                }
            }
            defer { watcher.cancel() }
            let names = typeIDs.compactMap { id in codecs[id].map { "\($0.message.name) (\(id))" } }
            printError("subscribed to \(names.joined(separator: ", ")) at \(client.address)")
            var received = 0
            do {
                for try await message in stream {
                    if let line = line(for: message, codec: codecs[message.typeID]) {
                        // Unbuffered, so that each line reaches a pipe as soon as it is printed.
                        FileHandle.standardOutput.write(Data((line + "\n").utf8))
                    }
                    received += 1
                    if let count, received >= count { break }
                }
            } catch let error as MyceliumClientError where error.code == .closed {
                // SIGINT or SIGTERM: a normal end.
            }
            try await client.close()
        }
    }

    /// The line printed for `message`, or `nil` (with a warning on stderr) when its payload
    /// does not decode as its contract says.
    private func line(for message: Message, codec: MessageCodec?) -> String? {
        guard format == .json, let codec else { return "\(message.typeID) \(Self.hex(message.payload))" }
        do {
            let decoded = try codec.decode(message.payload)
            let line = JSONValue.object([
                ("type", .string(codec.message.name)), ("type_id", .number("\(message.typeID)")), ("message", decoded),
            ])
            return line.text
        } catch {
            printError(
                "warning: a \(codec.message.name) (\(message.typeID)) message could not be decoded: \(error); "
                    + "skipped (--raw prints it)")
            return nil
        }
    }

    private static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
