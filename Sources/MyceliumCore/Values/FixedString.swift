/// UTF-8 text of at most `capacity` bytes, the contract type `FixedStr<N>`: zero-padded to
/// `capacity` bytes on the wire, plain text in JSON.
///
/// It holds the wire bytes, so reading one from a payload allocates nothing; ``string``
/// makes a `String` (the bytes up to the first NUL).
///
/// ```swift
/// let symbol: FixedString<32> = "WETH/USDC"   // a literal that does not fit stops the program
/// let venue = FixedString<8>(venueName)       // nil when venueName is longer than 8 bytes
/// symbol.string                               // "WETH/USDC"
/// ```
///
/// `FixedString<8>("literal")` is the literal initializer (Swift reads `T("…")` as a literal
/// of `T`), so it, too, stops on a literal that does not fit rather than returning `nil`.
public struct FixedString<let capacity: Int>: Sendable, Hashable {
    /// The `capacity` bytes as on the wire: UTF-8, then zeros.
    public var bytes: FixedArray<capacity, UInt8>

    /// The UTF-8 of `string`, zero-padded; `nil` when it is longer than `capacity` bytes or
    /// contains a NUL (the padding byte).
    public init?(_ string: String) {
        let utf8 = string.utf8
        guard !utf8.contains(0), let bytes = FixedArray<capacity, UInt8>(utf8) else { return nil }
        self.bytes = bytes
    }

    /// The text: the bytes up to the first NUL, invalid UTF-8 replaced by U+FFFD.
    public var string: String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

extension FixedString: ExpressibleByStringLiteral {
    /// A literal of at most `capacity` bytes of UTF-8.
    ///
    /// - Precondition: the literal fits and contains no NUL.
    public init(stringLiteral value: String) {
        guard let fixed = FixedString(value) else {
            preconditionFailure("\"\(value)\" does not fit FixedString<\(capacity)> (\(value.utf8.count) bytes)")
        }
        self = fixed
    }
}

extension FixedString: CustomStringConvertible {
    /// ``string``.
    public var description: String { string }
}

extension FixedString: WireValue {
    /// `capacity` bytes.
    @inlinable
    public static var wireSize: Int { capacity }

    /// The empty string.
    @inlinable
    public static var wireZero: FixedString { FixedString(storage: .wireZero) }

    @inlinable
    init(storage: FixedArray<capacity, UInt8>) {
        bytes = storage
    }

    /// Reads `capacity` bytes.
    @inlinable
    public init(wireBytes source: UnsafeRawPointer) {
        bytes = FixedArray(wireBytes: source)
    }

    /// Writes `capacity` bytes.
    @inlinable
    public func write(wireBytes destination: UnsafeMutableRawPointer) {
        bytes.write(wireBytes: destination)
    }

    /// Reads a JSON string.
    ///
    /// - Throws: `DecodingError.dataCorrupted` naming the field when the text is longer than
    ///   `capacity` bytes of UTF-8 or contains a NUL.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let fixed = FixedString(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: text.utf8.contains(0)
                    ? "contains a NUL character, which FixedStr uses as padding"
                    : "is \(text.utf8.count) bytes of UTF-8, longer than FixedStr<\(capacity)>; shorten it")
        }
        self = fixed
    }

    /// Writes ``string``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }
}
