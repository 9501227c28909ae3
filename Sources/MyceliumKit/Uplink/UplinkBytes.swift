import Glibc

/// A growable byte buffer in raw memory: the uplink's socket input (read from ``start``,
/// filled to ``count``) and its encoded output.
struct UplinkBytes: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// The first byte not yet consumed.
    var start = 0
    /// The end of the bytes held.
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 8)
    }

    /// Bytes held and not yet consumed.
    var unread: Int { count - start }

    /// Makes room for `more` bytes after ``count``, moving the unread bytes to the front
    /// first and growing by doubling when that is not enough.
    mutating func reserve(_ more: Int) {
        if capacity - count >= more { return }
        if start > 0 {
            base.copyMemory(from: base + start, byteCount: count - start)
            count -= start
            start = 0
            if capacity - count >= more { return }
        }
        var newCapacity = capacity * 2
        while newCapacity - count < more { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    mutating func append(_ source: UnsafeRawPointer, _ byteCount: Int) {
        reserve(byteCount)
        (base + count).copyMemory(from: source, byteCount: byteCount)
        count += byteCount
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if let source = bytes.baseAddress { append(source, bytes.count) }
    }

    /// Appends CRLF.
    mutating func appendLineEnd() {
        reserve(2)
        base.storeBytes(of: 0x0A0D, toByteOffset: count, as: UInt16.self)
        count += 2
    }

    /// Appends `value` in decimal.
    mutating func appendDecimal(_ value: Int) {
        reserve(20)
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        var remaining = value
        for position in stride(from: digits - 1, through: 0, by: -1) {
            base.storeBytes(of: UInt8(48 + remaining % 10), toByteOffset: count + position, as: UInt8.self)
            remaining /= 10
        }
        count += digits
    }

    /// Forgets every byte.
    mutating func clear() {
        start = 0
        count = 0
    }

    deinit {
        base.deallocate()
    }
}
