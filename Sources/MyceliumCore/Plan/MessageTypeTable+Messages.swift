extension MessageTypeTable {
    /// The table of generated message types: each type's id, name and payload size.
    ///
    /// ```swift
    /// let types = MessageTypeTable(messages: [Trade.self, Quote.self])
    /// ```
    ///
    /// - Precondition: the ids are distinct and at least 1000, as the generator checks.
    public init(messages: [any MyceliumMessage.Type]) {
        do {
            try self.init(messages.map { Entry(id: $0.typeID, name: $0.messageName, maxPayload: $0.payloadSize) })
        } catch {
            preconditionFailure("invalid message types: \(error)")
        }
    }
}
