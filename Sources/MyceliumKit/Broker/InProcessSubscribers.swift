/// An immutable set of a broker's in-process subscriptions, by type. The
/// ``DeliveryRouter`` replaces the whole set on every subscribe and unsubscribe, so loops
/// read it without a lock.
final class InProcessSubscribers: Sendable {
    /// One in-process subscription: the queue its stream reads, and its type ids.
    final class Subscription: Sendable {
        let queue: MessageQueue
        let typeIDs: [UInt16]

        init(queue: MessageQueue, typeIDs: [UInt16]) {
            self.queue = queue
            self.typeIDs = typeIDs
        }
    }

    /// Every subscription, oldest first.
    let all: [Subscription]
    /// Per dense type, its subscriptions.
    let byType: [[Subscription]]

    /// The set of `all`; `dense` gives a type id's dense index among `typeCount` types.
    init(_ all: [Subscription], typeCount: Int, dense: (UInt16) -> Int) {
        self.all = all
        var byType: [[Subscription]] = Array(repeating: [], count: typeCount)
        for subscription in all {
            for typeID in subscription.typeIDs { byType[dense(typeID)].append(subscription) }
        }
        self.byType = byType
    }
}
