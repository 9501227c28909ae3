import ArgumentParser
import ContractStore
import Foundation
import UnixSignals

/// `mycelium publish NAME|TYPE_ID --json '{...}' [--count N] [--rate R]`, or JSON lines on stdin.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish messages written as JSON.",
        discussion: """
            With --json, publishes that message. Without it, reads JSON lines from stdin: each a \
            message object, or a line as `subscribe --json` prints it \
            ({"type":"Trade","type_id":1101,"message":{...}}), whose type then comes from the line. \
            Exits 0 once the broker has handled every message; SIGINT stops early, also with 0.
            """
    )

    @OptionGroup var catalogOptions: CatalogOptions

    @OptionGroup var endpoint: EndpointOptions

    @Argument(help: "The message name or type id (optional when every stdin line names its type).")
    var message: String?

    @Option(help: ArgumentHelp("The message as a JSON object; without it, JSON lines come from stdin.", valueName: "object"))
    var json: String?

    @Option(help: "Publish each message this many times.")
    var count = 1

    @Option(help: ArgumentHelp("Publish at most this many messages per second (default: no limit).", valueName: "per-second"))
    var rate: Double?

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        if let rate, !(rate > 0 && rate.isFinite) {
            throw ValidationError("--rate must be a positive number of messages per second")
        }
        if json != nil && message == nil {
            throw ValidationError("--json needs the message name or type id, e.g. mycelium publish Trade --json '{...}'")
        }
    }

    func run() async throws {
        try await reportingAsyncErrors {
            var messages = try MessageLookup(catalogOptions)
            // Checked before connecting, so a wrong argument fails the same with no broker.
            let single = try json.map { try encode($0, origin: "--json", messages: &messages) }
            if let message { _ = try messages.codec(for: message) }
            let client = try await endpoint.connect(digest: try messages.digest(), peerName: "mycelium publish")
            let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
            let watcher = Task {
                for await _ in signals {
                    // Interrupted: stop reading, let the broker handle what was sent, exit 0.
                    try? await client.close()
                    Foundation.exit(0)
                }
            }
            defer { watcher.cancel() }
            var pacer = Pacer(rate: rate)
            func send(_ frame: (typeID: UInt16, payload: [UInt8])) async throws {
                for _ in 0..<count {
                    try await pacer.wait()
                    try await client.publish(typeID: frame.typeID, payload: frame.payload)
                }
            }
            if let single {
                try await send(single)
            } else {
                if isatty(STDIN_FILENO) != 0 {
                    printError(
                        "reading messages from the terminal: one JSON object per line, Ctrl-D to end "
                            + "(or pass --json '{...}')")
                }
                var lineNumber = 0
                var published = 0
                do {
                    while let line = readLine() {
                        lineNumber += 1
                        if line.allSatisfy(\.isWhitespace) { continue }
                        try await send(try encode(line, origin: "stdin line \(lineNumber)", messages: &messages))
                        published += 1
                    }
                } catch {
                    // The lines before the bad one still reach the broker.
                    try? await client.flush()
                    throw error
                }
                if published == 0 { printError("published 0 messages: stdin had no JSON lines") }
            }
            try await client.flush()
            try await client.close()
        }
    }

    /// The type id and payload of one JSON input: a message object of the command's message,
    /// or a `subscribe --json` line, which names its own type.
    ///
    /// - Throws: ``UserError`` starting with `origin` (`--json`, `stdin line 3`) for invalid
    ///   JSON, an unknown message or a value the codec refuses (naming the field).
    private func encode(_ text: String, origin: String, messages: inout MessageLookup) throws -> (
        typeID: UInt16, payload: [UInt8]
    ) {
        do {
            let value = try JSONValue(parsing: text)
            let (name, statedName, object) = try Self.envelope(value, origin: origin) ?? (message, nil, value)
            guard let name else {
                throw UserError(
                    text: "\(origin): a message object needs the message name or type id as the argument "
                        + "(e.g. mycelium publish Trade), or a line as subscribe --json prints it")
            }
            let codec = try messages.codec(for: name)
            if let statedName, statedName != codec.message.name {
                throw UserError(
                    text: "\(origin): type_id \(name) is \(codec.message.name) in the catalog, not \(statedName); "
                        + "fix \"type\" or \"type_id\"")
            }
            return (codec.message.typeID, try codec.encode(object))
        } catch let error as CodecError {
            throw UserError(text: "\(origin): \(error)")
        } catch let error as CatalogError {
            throw UserError(text: "\(origin): \(error.withCommandLineAdvice)")
        }
    }

    /// The type (its id when given, else its name), the name it states beside an id, and the
    /// message of a `subscribe --json` line; `nil` when `value` is not one: an object with
    /// `message` and `type` and/or `type_id` and no other keys.
    private static func envelope(_ value: JSONValue, origin: String) throws -> (String?, String?, JSONValue)? {
        guard case .object(let members) = value, let object = value["message"],
            members.allSatisfy({ ["type", "type_id", "message"].contains($0.key) }), members.count >= 2
        else { return nil }
        let statedName: String?
        switch value["type"] {
        case .string(let name): statedName = name
        case nil: statedName = nil
        default: throw UserError(text: "\(origin): \"type\" must be the message name as a string, e.g. \"Trade\"")
        }
        switch value["type_id"] {
        case .number(let literal) where UInt16(literal) != nil: return (literal, statedName, object)
        case nil: return (statedName, nil, object)
        default: throw UserError(text: "\(origin): \"type_id\" must be a type id from 1000 to 65535, e.g. 1101")
        }
    }
}
