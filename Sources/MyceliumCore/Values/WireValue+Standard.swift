extension WireValue where Self: FixedWidthInteger & BitwiseCopyable {
    /// The integer's width in bytes.
    @inlinable
    public static var wireSize: Int { MemoryLayout<Self>.size }

    /// Zero.
    @inlinable
    public static var wireZero: Self { 0 }

    /// Reads a little-endian integer.
    @inlinable
    public init(wireBytes source: UnsafeRawPointer) {
        self.init(littleEndian: source.loadUnaligned(as: Self.self))
    }

    /// Writes the integer little-endian.
    @inlinable
    public func write(wireBytes destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: littleEndian, as: Self.self)
    }
}

extension UInt8: WireValue {}
extension UInt16: WireValue {}
extension UInt32: WireValue {}
extension UInt64: WireValue {}
extension Int8: WireValue {}
extension Int16: WireValue {}
extension Int32: WireValue {}
extension Int64: WireValue {}

extension UInt128: WireValue {
    /// Reads a decimal or `0x` hex string, or a JSON number.
    public init(json decoder: any Decoder) throws {
        self = try WideIntegerJSON.decode(Self.self, from: decoder)
    }

    /// Writes a decimal string (JSON numbers lose precision past 2^53 in most readers).
    public func encodeJSON(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(self))
    }
}

extension Int128: WireValue {
    /// Reads a decimal or `0x` hex string (with an optional `-`), or a JSON number.
    public init(json decoder: any Decoder) throws {
        self = try WideIntegerJSON.decode(Self.self, from: decoder)
    }

    /// Writes a decimal string (JSON numbers lose precision past 2^53 in most readers).
    public func encodeJSON(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(self))
    }
}

extension Float: WireValue {
    /// 4 bytes, IEEE 754 binary32.
    @inlinable
    public static var wireSize: Int { 4 }

    /// Zero.
    @inlinable
    public static var wireZero: Float { 0 }

    /// Reads the little-endian bit pattern.
    @inlinable
    public init(wireBytes source: UnsafeRawPointer) {
        self.init(bitPattern: UInt32(wireBytes: source))
    }

    /// Writes the bit pattern little-endian.
    @inlinable
    public func write(wireBytes destination: UnsafeMutableRawPointer) {
        bitPattern.write(wireBytes: destination)
    }

    /// Reads a JSON number, or `"nan"`, `"inf"` or `"-inf"`.
    public init(json decoder: any Decoder) throws {
        self = try FloatingPointJSON.decode(Self.self, from: decoder)
    }

    /// Writes a JSON number, or `"nan"`, `"inf"` or `"-inf"`, which JSON numbers cannot hold.
    public func encodeJSON(to encoder: any Encoder) throws {
        try FloatingPointJSON.encode(self, to: encoder)
    }
}

extension Double: WireValue {
    /// 8 bytes, IEEE 754 binary64.
    @inlinable
    public static var wireSize: Int { 8 }

    /// Zero.
    @inlinable
    public static var wireZero: Double { 0 }

    /// Reads the little-endian bit pattern.
    @inlinable
    public init(wireBytes source: UnsafeRawPointer) {
        self.init(bitPattern: UInt64(wireBytes: source))
    }

    /// Writes the bit pattern little-endian.
    @inlinable
    public func write(wireBytes destination: UnsafeMutableRawPointer) {
        bitPattern.write(wireBytes: destination)
    }

    /// Reads a JSON number, or `"nan"`, `"inf"` or `"-inf"`.
    public init(json decoder: any Decoder) throws {
        self = try FloatingPointJSON.decode(Self.self, from: decoder)
    }

    /// Writes a JSON number, or `"nan"`, `"inf"` or `"-inf"`, which JSON numbers cannot hold.
    public func encodeJSON(to encoder: any Encoder) throws {
        try FloatingPointJSON.encode(self, to: encoder)
    }
}

extension Bool: WireValue {
    /// One byte.
    @inlinable
    public static var wireSize: Int { 1 }

    /// `false`.
    @inlinable
    public static var wireZero: Bool { false }

    /// Reads one byte: 0 is `false`, anything else `true`.
    @inlinable
    public init(wireBytes source: UnsafeRawPointer) {
        self = source.load(as: UInt8.self) != 0
    }

    /// Writes 1 or 0.
    @inlinable
    public func write(wireBytes destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: self ? 1 : 0, as: UInt8.self)
    }
}
