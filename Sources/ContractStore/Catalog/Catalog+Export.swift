extension Catalog {
    /// The contract file a set was imported from, as it was read (comments included).
    ///
    /// ```swift
    /// let yaml = try catalog.contractText(ofSet: "0x4D594345")
    /// ```
    ///
    /// - Parameter name: the set's key (`schema 0x4D594345`, or the file name of a set
    ///   without a schema id, as ``sets()`` lists them) or its schema id alone (`0x4D594345`).
    /// - Throws: ``CatalogError`` with code `unknownSet` naming the sets there are, or
    ///   `noContractText` for a set imported before the catalog kept the text (importing the
    ///   same file again stores it).
    public func contractText(ofSet name: String) throws(CatalogError) -> String {
        let sets = try sets()
        let wanted = name.lowercased()
        guard
            let set = sets.first(where: {
                $0.key.lowercased() == wanted || $0.schemaID.map { "0x" + String($0, radix: 16) } == wanted
            })
        else {
            let known =
                sets.isEmpty ? "the catalog has none" : "the catalog has " + sets.map { "'\($0.key)'" }.joined(separator: ", ")
            throw CatalogError(.unknownSet, path: path, "no contract set '\(name)'; \(known)")
        }
        let text = try read("read the contract text of '\(set.key)'") {
            try database.prepare("SELECT text FROM schemas WHERE set_key = ?", [.text(set.key)]).rows { $0.text(0) }.first ?? nil
        }
        guard let text else {
            throw CatalogError(
                .noContractText, path: path,
                "set '\(set.key)' was imported before the catalog kept contract files; import \(set.source) again to store it")
        }
        return text
    }
}
