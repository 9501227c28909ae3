extension BrokerLoop {
    /// Handles one complete control frame (types 1-10) in place.
    func control(
        _ connection: UnsafeMutablePointer<Connection>, typeID: UInt16, payload: UnsafeRawBufferPointer, firstFrame: Bool
    ) {
        let name = describe(connection)
        let frame: ControlFrame
        do {
            frame = try ControlFrame.decode(typeID: typeID, payload: payload)
        } catch {
            send(.error(WireError(error.code, "\(name): \(error.message)")), to: connection)
            return
        }
        switch frame {
        case .hello(let hello):
            guard firstFrame else {
                send(
                    .error(
                        WireError(.malformedControlFrame, "\(name) sent HELLO after other frames; HELLO must be the first frame")),
                    to: connection)
                return
            }
            guard hello.version == Hello.protocolVersion else {
                send(
                    .error(
                        WireError(
                            .malformedControlFrame,
                            "\(name) sent HELLO with protocol version \(hello.version); this broker speaks version \(Hello.protocolVersion)"
                        )), to: connection)
                return
            }
            connection.pointee.peerName = hello.peerName
            if let permissions = core.permissions,
                !authorize(connection, token: hello.token, permissions: permissions, name: name)
            {
                return
            }
            if let digest = limits.digest, hello.checksDigest, hello.digest != digest {
                closeWith(
                    connection,
                    WireError(
                        .digestMismatch,
                        "\(name) (\(hello.peerName)) has contract digest \(Self.hex(hello.digest)), the broker has \(Self.hex(digest)); import the same contracts on both sides, or send an all-zero digest"
                    ))
                return
            }
            send(
                .hello(Hello(digest: limits.digest ?? Hello.uncheckedDigest, peerName: MyceliumVersion.brokerPeerName)),
                to: connection)
        case .subscribe(let ids):
            subscribe(connection, ids, name: name)
        case .unsubscribe(let ids):
            guard let unknown = ids.first(where: { routing.slots[Int($0)].dense < 0 }) else {
                for id in Set(ids) where connection.pointee.subscriptions.contains(id) {
                    connection.pointee.subscriptions.removeAll { $0 == id }
                    removeSubscriber(connection, typeID: id)
                }
                return
            }
            send(
                .error(
                    WireError(
                        .unknownTypeID,
                        "\(name) sent UNSUBSCRIBE naming type id \(unknown), which is not in the broker's catalog; nothing was unsubscribed"
                    )), to: connection)
        case .ping(let bytes):
            send(.pong(bytes), to: connection)
        case .statsRequest:
            publishCounters()
            send(.stats(core.stats().jsonDocument()), to: connection)
        case .connectionsRequest:
            requestConnections(replyingTo: connection.pointee.serial)
        case .pong, .error, .stats, .connections:
            send(
                .error(
                    WireError(
                        .malformedControlFrame,
                        "\(name) sent a frame of type \(typeID) (\(frame.type)), which only the broker sends")),
                to: connection)
        }
    }

    private func subscribe(_ connection: UnsafeMutablePointer<Connection>, _ ids: [UInt16], name: String) {
        if let unknown = ids.first(where: { routing.slots[Int($0)].dense < 0 }) {
            let reserved = unknown < ControlFrameType.firstDataTypeID ? " (ids below 1000 are reserved)" : ""
            send(
                .error(
                    WireError(
                        .unknownTypeID,
                        "\(name) sent SUBSCRIBE naming type id \(unknown), which is not in the broker's catalog\(reserved); nothing was subscribed"
                    )), to: connection)
            return
        }
        if let permits = connection.pointee.subscribePermits,
            let denied = ids.first(where: { permits[Int(routing.slots[Int($0)].dense)] == 0 })
        {
            denyPermission(
                connection, "\(name) may not subscribe to type \(denied); nothing was subscribed")
            return
        }
        var added: [UInt16] = []
        for id in ids where !connection.pointee.subscriptions.contains(id) && !added.contains(id) { added.append(id) }
        let total = connection.pointee.subscriptions.count + added.count
        guard total <= limits.maxSubscriptions else {
            send(
                .error(
                    WireError(
                        .tooManySubscriptions,
                        "\(name) would hold \(total) subscriptions; the limit is \(limits.maxSubscriptions) per connection; nothing was subscribed"
                    )), to: connection)
            return
        }
        for id in added {
            connection.pointee.subscriptions.append(id)
            addSubscriber(connection, typeID: id)
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        "0x" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
