import MyceliumCore
import Testing

@Suite struct ControlFrameTests {
    private func decode(_ type: UInt16, _ payload: [UInt8]) throws -> ControlFrame {
        try payload.withUnsafeBytes { try ControlFrame.decode(typeID: type, payload: $0) }
    }

    private func roundTrip(_ frame: ControlFrame) throws {
        let bytes = frame.encoded()
        let header = bytes.withUnsafeBytes { FrameHeader(readingFrom: $0.baseAddress!) }
        #expect(Int(header.length) == bytes.count - FrameHeader.byteCount)
        #expect(try decode(header.typeID, Array(bytes.dropFirst(FrameHeader.byteCount))) == frame)
    }

    @Test func everyFrameRoundTrips() throws {
        try roundTrip(.hello(Hello(digest: [UInt8](repeating: 7, count: 32), peerName: "pricer-1")))
        try roundTrip(.subscribe([1001, 65535]))
        try roundTrip(.unsubscribe([1001]))
        try roundTrip(.ping([1, 2, 3]))
        try roundTrip(.pong([]))
        try roundTrip(.error(WireError(.slowConsumer, "behind by 8 MiB")))
        try roundTrip(.statsRequest)
        try roundTrip(.stats("{\"connections\":0}"))
        try roundTrip(.connectionsRequest)
        try roundTrip(.connections("{\"connections\":[]}"))
    }

    @Test func theConnectionsDocumentRoundTripsAndLeavesOutAMissingName() throws {
        let entry = BrokerConnections.Connection(
            id: 7, name: nil, peer: "127.0.0.1:5000", transport: "tcp", ageSeconds: 1.5, idleSeconds: 0.25,
            subscriptions: [1001, 1002], messagesIn: 1, bytesIn: 2, messagesOut: 3, bytesOut: 4, pendingBytes: 5,
            dropped: 6)
        let listing = BrokerConnections(connections: [
            entry,
            BrokerConnections.Connection(
                id: 8, name: "feed", peer: "unix", transport: "unix", ageSeconds: 0, idleSeconds: 0, subscriptions: [],
                messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0, pendingBytes: 0, dropped: 0),
        ])
        let document = listing.jsonDocument()
        #expect(
            document.hasPrefix(
                "{\"connections\":[{\"age_seconds\":1.5,\"bytes_in\":2,\"bytes_out\":4,\"dropped\":6,\"id\":7,\"idle_seconds\":0.25,\"messages_in\":1,\"messages_out\":3,\"peer\":\"127.0.0.1:5000\",\"pending_bytes\":5,\"subscriptions\":[1001,1002],\"transport\":\"tcp\"}"
            ), "\(document)")
        #expect(try BrokerConnections(jsonDocument: document) == listing)
        #expect(throws: DecodingError.self) { try BrokerConnections(jsonDocument: "{\"connections\":[{\"id\":1}]}") }
    }

    @Test func helloCarriesATokenAfterANulByte() throws {
        let hello = Hello(peerName: "pricer", token: "0123456789abcdef")
        try roundTrip(.hello(hello))
        let payload = Array(ControlFrame.hello(hello).encoded().dropFirst(FrameHeader.byteCount))
        let expected: [UInt8] = Array("pricer".utf8) + [0] + Array("0123456789abcdef".utf8)
        #expect(Array(payload.dropFirst(34)) == expected)
        // A broker from before tokens reads all of it as the name: still valid UTF-8, no error.
        #expect(String(validating: payload.dropFirst(34), as: UTF8.self) == "pricer\u{0}0123456789abcdef")
    }

    @Test func aHelloWithoutNulHasNoToken() throws {
        let old = [1, 0] + [UInt8](repeating: 0, count: 32) + Array("old-client".utf8)
        #expect(try decode(1, old) == .hello(Hello(peerName: "old-client")))
        let emptyToken = [1, 0] + [UInt8](repeating: 0, count: 32) + Array("x".utf8) + [0]
        #expect(try decode(1, emptyToken) == .hello(Hello(peerName: "x", token: "")))
    }

    @Test func aTokenWithASecondNulOrBadUTF8IsMalformed() {
        let prefix = [1, 0] + [UInt8](repeating: 0, count: 32) + Array("x".utf8) + [0]
        #expect(
            throws: WireError(.malformedControlFrame, "HELLO token contains a NUL byte; a token is text without NUL")
        ) { try decode(1, prefix + [65, 0, 66]) }
        #expect(throws: WireError(.malformedControlFrame, "HELLO token is not valid UTF-8")) {
            try decode(1, prefix + [0xFF])
        }
    }

    @Test func subscribeEncodesAsPubsubLoadExpects() {
        #expect(ControlFrame.subscribe([1001]).encoded() == [0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0xE9, 0x03])
    }

    @Test func wrongPayloadLengthsAreMalformed() {
        let cases: [(UInt16, [UInt8], String)] = [
            (1, [1, 0], "HELLO payload has 2 bytes"),
            (2, [], "SUBSCRIBE payload has 0 bytes"),
            (3, [1, 2, 3], "UNSUBSCRIBE payload has 3 bytes"),
            (4, [UInt8](repeating: 0, count: 65), "PING payload has 65 bytes"),
            (6, [1], "ERROR payload has 1 bytes"),
            (7, [0], "STATS_REQUEST payload has 1 bytes"),
            (9, [0], "CONNECTIONS_REQUEST payload has 1 bytes"),
        ]
        for (type, payload, message) in cases {
            #expect {
                try decode(type, payload)
            } throws: { error in
                let wire = error as? WireError
                return wire?.code == .malformedControlFrame && wire?.message.contains(message) == true
            }
        }
    }

    @Test func anUnknownErrorCodeIsKeptAsItIs() throws {
        let frame = try decode(6, [99, 0] + Array("from a newer broker".utf8))
        guard case .error(let error) = frame else {
            Issue.record("decoded as \(frame)")
            return
        }
        #expect(error.code.rawValue == 99 && !error.code.isKnown)
        #expect(error.description == "ERROR 99 (unknown code 99): from a newer broker")
        #expect(ControlFrame.error(error).encoded().dropFirst(FrameHeader.byteCount).prefix(2) == [99, 0])
        #expect(WireErrorCode.known.allSatisfy(\.isKnown) && WireErrorCode.known.map(\.rawValue) == Array(1...10))
    }

    @Test func nonControlTypeIsUnknown() {
        #expect(throws: WireError(.unknownTypeID, "type id 11 is not a control frame type (1-10)")) {
            try decode(11, [])
        }
    }

    @Test func invalidUTF8NameIsMalformed() {
        #expect(throws: WireError(.malformedControlFrame, "HELLO peer name is not valid UTF-8")) {
            try decode(1, [1, 0] + [UInt8](repeating: 0, count: 32) + [0xFF])
        }
    }
}
