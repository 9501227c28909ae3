/// The message types a broker accepts, with the largest payload each may carry.
///
/// `ContractStore` builds one from a catalog; a library user may build one by hand.
///
/// ```swift
/// let types = try MessageTypeTable([.init(id: 1101, name: "Trade", maxPayload: 25)])
/// types[1101]?.maxPayload   // 25
/// ```
public struct MessageTypeTable: Sendable {
    /// One data message type.
    public struct Entry: Sendable, Hashable {
        /// The TLV type id, 1000-65535.
        public let id: UInt16
        /// The contract's message name.
        public let name: String
        /// The largest payload a frame of this type may carry, in bytes.
        public let maxPayload: Int

        /// Creates an entry.
        ///
        /// - Precondition: `maxPayload >= 0`.
        public init(id: UInt16, name: String, maxPayload: Int) {
            precondition(maxPayload >= 0, "negative max payload for type \(id)")
            self.id = id
            self.name = name
            self.maxPayload = maxPayload
        }
    }

    /// The lowest type id a data message may use; ids below it belong to the framework.
    public static let firstDataTypeID: UInt16 = 1000

    /// Why a table could not be built.
    public enum Error: Swift.Error, Hashable, CustomStringConvertible {
        /// Two entries use the same type id.
        case duplicateID(UInt16, names: [String])
        /// A type id below 1000, which the framework reserves.
        case reservedID(UInt16, name: String)

        /// Names the ids and messages at fault and what to do.
        public var description: String {
            switch self {
            case .duplicateID(let id, let names):
                "type id \(id) is used by \(names.joined(separator: " and ")); give each message its own id"
            case .reservedID(let id, let name):
                "message \(name) uses type id \(id), which is reserved for the framework (1-999); use 1000-65535"
            }
        }
    }

    /// The entries in ascending type id.
    public let entries: [Entry]
    @usableFromInline let maxPayloadByID: [Int32]

    /// Creates a table.
    ///
    /// - Throws: ``Error`` when an id is reserved or used twice.
    public init(_ entries: [Entry]) throws(Error) {
        var byID = [Int32](repeating: -1, count: Int(UInt16.max) + 1)
        var names: [UInt16: String] = [:]
        for entry in entries {
            guard entry.id >= Self.firstDataTypeID else { throw .reservedID(entry.id, name: entry.name) }
            if let other = names[entry.id] { throw .duplicateID(entry.id, names: [other, entry.name]) }
            names[entry.id] = entry.name
            byID[Int(entry.id)] = Int32(clamping: entry.maxPayload)
        }
        self.entries = entries.sorted { $0.id < $1.id }
        self.maxPayloadByID = byID
    }

    /// The entry for a type id, if the table has one.
    public subscript(id: UInt16) -> Entry? {
        guard maxPayloadByID[Int(id)] >= 0 else { return nil }
        return entries.first { $0.id == id }
    }

    /// The largest payload a frame of type `id` may carry, or `nil` for an unknown type.
    /// Constant time: the broker calls it for every frame.
    @inlinable
    public func maxPayload(forTypeID id: UInt16) -> Int? {
        let value = maxPayloadByID[Int(id)]
        return value < 0 ? nil : Int(value)
    }

    /// The classes a pool needs for these types: each maximum payload in its class.
    public var sizeClassPlan: SizeClassPlan {
        SizeClassPlan(payloadSizes: entries.lazy.map(\.maxPayload).filter { $0 > 0 })
    }
}
