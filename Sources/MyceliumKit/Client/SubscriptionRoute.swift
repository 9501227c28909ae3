/// One subscription of a client, as its loop routes data frames: to a stream's queue or to
/// a handler, with the type ids it receives.
struct SubscriptionRoute {
    /// Where a subscription's messages go.
    enum Target {
        /// Queued for a ``MessageStream``'s task.
        case stream(MessageQueue)
        /// Handed to a ``MessageHandler`` on the loop's thread.
        case handler(any MessageHandler)

        /// Whether both are the same stream or the same handler object.
        func isSame(as other: Target) -> Bool {
            switch (self, other) {
            case (.stream(let queue), .stream(let otherQueue)): queue === otherQueue
            case (.handler(let handler), .handler(let otherHandler)): handler === otherHandler
            default: false
            }
        }

        /// Ends the subscription after what it was handed: a stream after the messages it
        /// holds, a handler told at once. Returns whether the stream had paused reading
        /// (it will not resume it now).
        func finish(throwing error: (any Error)?) -> Bool {
            switch self {
            case .stream(let queue):
                return queue.finish(throwing: error)
            case .handler(let handler):
                handler.subscriptionEnded(error: error)
                return false
            }
        }
    }

    let target: Target
    /// Distinct and sorted.
    let typeIDs: [UInt16]

    init(_ target: Target, typeIDs: [UInt16]) {
        self.target = target
        self.typeIDs = Array(Set(typeIDs)).sorted()
    }

    /// Whether the subscription receives frames of `typeID`.
    @inline(__always)
    func receives(_ typeID: UInt16) -> Bool {
        if typeIDs.count == 1 { return typeIDs[0] == typeID }
        return typeIDs.contains(typeID)
    }
}
