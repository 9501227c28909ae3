extension Catalog {
    /// A JSON codec for the message named `nameOrTypeID` (or with that type id).
    ///
    /// - Throws: ``CatalogError`` when the catalog has no such message.
    public func codec(for nameOrTypeID: String) throws(CatalogError) -> MessageCodec {
        MessageCodec(try message(nameOrTypeID))
    }
}
