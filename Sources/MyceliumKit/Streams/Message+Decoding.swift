extension Message {
    /// The payload read as a generated message type, e.g. `Trade`: its fields are copied out,
    /// so the value stays valid after the iterator moves on.
    ///
    /// ```swift
    /// for try await message in stream where message.typeID == Trade.typeID {
    ///     let trade = try message.decode(as: Trade.self)
    /// }
    /// ```
    ///
    /// - Throws: ``MessageDecodingError`` when the frame's type id is not `type`'s or its
    ///   payload is not `type`'s size.
    @inlinable
    public func decode<Decoded: MyceliumMessage>(as type: Decoded.Type) throws -> Decoded {
        guard typeID == Decoded.typeID else {
            throw MessageDecodingError(
                messageName: Decoded.messageName, expectedTypeID: Decoded.typeID, actualTypeID: typeID)
        }
        return try Decoded(payload: payload)
    }
}
