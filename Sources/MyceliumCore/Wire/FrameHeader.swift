/// The 6-byte header in front of every frame: `[type_id u16 LE][length u32 LE]`.
///
/// `length` counts the payload only.
///
/// ```swift
/// let header = FrameHeader(typeID: 1001, length: 128)
/// header.bytes   // [0xE9, 0x03, 0x80, 0x00, 0x00, 0x00]
/// ```
public struct FrameHeader: Sendable, Hashable {
    /// Bytes a header takes on the wire.
    public static let byteCount = 6

    /// The frame's type id.
    public var typeID: UInt16
    /// The payload's length in bytes.
    public var length: UInt32

    /// Creates a header.
    @inlinable
    public init(typeID: UInt16, length: UInt32) {
        self.typeID = typeID
        self.length = length
    }

    /// Reads a header from 6 bytes at `source` (no alignment needed).
    @inlinable
    public init(readingFrom source: UnsafeRawPointer) {
        typeID = UInt16(littleEndian: source.loadUnaligned(as: UInt16.self))
        length = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
    }

    /// Writes the header's 6 bytes at `destination` (no alignment needed).
    @inlinable
    public func write(to destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: typeID.littleEndian, as: UInt16.self)
        destination.storeBytes(of: length.littleEndian, toByteOffset: 2, as: UInt32.self)
    }

    /// The header's 6 bytes.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.byteCount) { buffer, initialized in
            write(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            initialized = Self.byteCount
        }
    }

    /// The header packed into the low 48 bits of a `UInt64` (little-endian byte order), so
    /// a queue can keep it inline and write it from there.
    @inlinable
    package var packed: UInt64 {
        UInt64(typeID) | UInt64(length) << 16
    }
}
