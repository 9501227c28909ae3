/// One stream of a client and the type ids it receives, as the client's loop routes frames.
struct StreamRoute {
    let queue: MessageQueue
    /// Distinct and sorted.
    let typeIDs: [UInt16]

    init(queue: MessageQueue, typeIDs: [UInt16]) {
        self.queue = queue
        self.typeIDs = Array(Set(typeIDs)).sorted()
    }

    /// Whether the stream receives frames of `typeID`.
    @inline(__always)
    func receives(_ typeID: UInt16) -> Bool {
        if typeIDs.count == 1 { return typeIDs[0] == typeID }
        return typeIDs.contains(typeID)
    }
}
