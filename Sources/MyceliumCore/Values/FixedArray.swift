/// Exactly `count` elements stored inline, the contract type `FixedVec<T, N>`: on the wire
/// the elements one after another; in JSON an array, or `0x` hex for bytes.
///
/// ```swift
/// var levels = FixedArray<10, Int64>(repeating: 0)
/// levels[0] = 101_25
/// let sizes = FixedArray<10, UInt32>([5, 7])!     // the other 8 are 0
/// ```
public struct FixedArray<let count: Int, Element> {
    @usableFromInline var storage: InlineArray<count, Element>

    /// `count` copies of `value`.
    @inlinable
    public init(repeating value: Element) {
        storage = InlineArray(repeating: value)
    }

    @inlinable
    init(storage: InlineArray<count, Element>) {
        self.storage = storage
    }
}

extension FixedArray where Element: WireValue {
    /// The given elements, then ``WireValue/wireZero`` up to `count`; `nil` when there are
    /// more than `count`.
    @inlinable
    public init?(_ elements: some Collection<Element>) {
        guard elements.count <= count else { return nil }
        self.init(repeating: .wireZero)
        for (index, element) in elements.enumerated() {
            storage[index] = element
        }
    }
}

extension FixedArray: RandomAccessCollection, MutableCollection {
    /// Positions are `0..<count`.
    public typealias Index = Int

    /// 0.
    @inlinable
    public var startIndex: Int { 0 }

    /// `count`.
    @inlinable
    public var endIndex: Int { count }

    /// The element at `position`.
    @inlinable
    public subscript(position: Int) -> Element {
        get { storage[position] }
        set { storage[position] = newValue }
    }
}

extension FixedArray: Sendable where Element: Sendable {}

extension FixedArray: Equatable where Element: Equatable {
    /// Equal when every element is.
    @inlinable
    public static func == (lhs: FixedArray, rhs: FixedArray) -> Bool {
        for index in 0..<count where lhs.storage[index] != rhs.storage[index] {
            return false
        }
        return true
    }
}

extension FixedArray: Hashable where Element: Hashable {
    /// Hashes every element in order.
    @inlinable
    public func hash(into hasher: inout Hasher) {
        for index in 0..<count {
            hasher.combine(storage[index])
        }
    }
}

extension FixedArray: CustomStringConvertible {
    /// `0x`-hex for bytes, `[1, 2, 3]` otherwise.
    public var description: String {
        if let bytes = self as? FixedArray<count, UInt8> { return "0x" + HexBytes.digits(bytes) }
        return "[" + map { String(describing: $0) }.joined(separator: ", ") + "]"
    }
}

extension FixedArray: Encodable, Decodable, WireValue where Element: WireValue {
    /// `count` times the element's size.
    @inlinable
    public static var wireSize: Int { count * Element.wireSize }

    /// Every element zero.
    @inlinable
    public static var wireZero: FixedArray { FixedArray(repeating: .wireZero) }

    /// Reads `count` elements one after another.
    @inlinable
    public init(wireBytes source: UnsafeRawPointer) {
        self.init(storage: InlineArray { index in Element(wireBytes: source + index * Element.wireSize) })
    }

    /// Writes `count` elements one after another.
    @inlinable
    public func write(wireBytes destination: UnsafeMutableRawPointer) {
        for index in 0..<count {
            storage[index].write(wireBytes: destination + index * Element.wireSize)
        }
    }

    /// Reads a JSON array of up to `count` elements (the rest zero); for bytes also `0x` hex.
    ///
    /// - Throws: `DecodingError.dataCorrupted` naming the field when there are more than
    ///   `count` elements or the hex is malformed; the element's error for a bad element.
    public init(from decoder: any Decoder) throws {
        self = .wireZero
        if Element.self == UInt8.self, let container = try? decoder.singleValueContainer(),
            let text = try? container.decode(String.self)
        {
            guard let bytes = HexBytes.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not 0x hex or an array of up to \(count) bytes")
            }
            guard bytes.count <= count else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "has \(bytes.count) bytes; the field holds at most \(count)")
            }
            for (index, byte) in bytes.enumerated() {
                storage[index] = unsafeBitCast(byte, to: Element.self)
            }
            return
        }
        var container = try decoder.unkeyedContainer()
        var index = 0
        while !container.isAtEnd {
            guard index < count else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription:
                        "has \(container.count.map(String.init) ?? "more than \(count)") elements; it holds at most \(count)")
            }
            storage[index] = try Element(json: container.superDecoder())
            index += 1
        }
    }

    /// Writes `0x` hex for bytes, a JSON array of all `count` elements otherwise.
    public func encode(to encoder: any Encoder) throws {
        if let bytes = self as? FixedArray<count, UInt8> {
            var container = encoder.singleValueContainer()
            try container.encode("0x" + HexBytes.digits(bytes))
            return
        }
        var container = encoder.unkeyedContainer()
        for index in 0..<count {
            try storage[index].encodeJSON(to: container.superEncoder())
        }
    }
}
