import ContractStore

/// One input: a contract file. Whatever the bytes, parsing either succeeds or throws a
/// `ContractError`; a file that parses imports into a fresh in-memory catalog, whose plan,
/// digest and codecs must then be consistent with the parsed set. (A run spends most of its
/// time in the YAML parser: opening and migrating the catalog costs about 2 % of it.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContracts(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let yaml = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let parsed = try? ContractParser.parse(yaml: yaml, file: "fuzz.yaml") else { return 0 }
    let set = parsed.set
    precondition(!set.messages.isEmpty, "a parsed set has messages")
    for message in set.messages {
        precondition(message.maxPayload > 0, "\(message.name) is sized 0")
        precondition(
            message.maxPayload == message.fields.reduce(0) { $0 + $1.size }, "\(message.name): size is not the sum of its fields")
    }
    do {
        let catalog = try Catalog(path: ":memory:")
        let report = try catalog.importContracts(parsed)
        precondition(report.catalogDigest == ContractDigest.digest(of: set.messages), "the catalog digest is the set's")
        let stored = try catalog.messages()
        precondition(stored.count == set.messages.count, "every message is stored")
        let plan = try catalog.sizeClassPlan()
        for message in stored {
            precondition(plan.classes.contains { $0.size == message.sizeClass }, "\(message.name)'s class is in the plan")
            _ = MessageCodec(message)
        }
        // The lookup by name reads the whole catalog each time: once per input, not per message.
        if let first = stored.first {
            let codec = try catalog.codec(for: first.name)
            precondition(codec.message == first, "the codec for \(first.name) is its message's")
        }
    } catch {
        // A parsed set that a fresh catalog refuses is a defect, unless the catalog says why
        // (e.g. a set the catalog keys under a name it cannot store).
        guard error is CatalogError else { preconditionFailure("import of a parsed set failed: \(error)") }
    }
    return 0
}
