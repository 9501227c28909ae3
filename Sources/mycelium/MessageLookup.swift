import ContractStore
import Foundation

/// The catalog's messages by name or type id, each with its JSON codec, looked up once.
struct MessageLookup {
    private let catalog: Catalog
    /// How errors name the catalog: its path, or the bundled contracts when there is no file.
    private let label: String
    private var codecs: [String: MessageCodec] = [:]

    /// Opens the catalog as ``CatalogOptions/openForReading(announcing:)`` does, quietly: a
    /// client command leaves no file behind, and its errors name the bundled contracts.
    ///
    /// - Throws: what ``CatalogOptions/openForReading()`` throws.
    init(_ options: CatalogOptions) throws {
        (catalog, label) = try options.openForReading(announcing: false)
    }

    /// The digest HELLO carries.
    func digest() throws(CatalogError) -> [UInt8] {
        try catalog.digest()
    }

    /// The codec of the message named `nameOrTypeID` or numbered so.
    ///
    /// - Throws: ``CatalogError`` naming the catalog and the known messages.
    mutating func codec(for nameOrTypeID: String) throws(CatalogError) -> MessageCodec {
        if let codec = codecs[nameOrTypeID] { return codec }
        let codec: MessageCodec
        do {
            codec = try catalog.codec(for: nameOrTypeID)
        } catch {
            throw CatalogError(error.code, path: label, problems: error.problems)
        }
        codecs[nameOrTypeID] = codec
        return codec
    }
}
