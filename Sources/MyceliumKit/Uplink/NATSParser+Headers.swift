extension NATSParser {
    /// `NATS/1.0`, the start of every header block, as a little-endian word.
    private static let headerVersion: UInt64 = 0x302E_312F_5354_414E

    /// The value of header `name` (case-insensitive, ASCII) in an `HMSG` header block, as a
    /// range of `bytes`, trimmed; `nil` when the block has no such header or does not start
    /// with `NATS/1.0`. Allocates nothing.
    ///
    /// ```swift
    /// // block: "NATS/1.0\r\nMycelium-Layout: 0a1b\r\n\r\n"
    /// NATSParser.headerValue(named: "mycelium-layout", in: bytes, block: headers)   // the range of "0a1b"
    /// ```
    public static func headerValue(named name: StaticString, in bytes: UnsafeRawBufferPointer, block: Range<Int>)
        -> Range<Int>?
    {
        guard block.count >= 8,
            UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: block.lowerBound, as: UInt64.self)) == headerVersion
        else { return nil }
        var cursor = block.lowerBound
        // Skip the status line.
        while cursor + 1 < block.upperBound && !(bytes[cursor] == 13 && bytes[cursor + 1] == 10) { cursor += 1 }
        cursor += 2
        while cursor < block.upperBound {
            var lineEnd = cursor
            while lineEnd + 1 < block.upperBound && !(bytes[lineEnd] == 13 && bytes[lineEnd + 1] == 10) { lineEnd += 1 }
            if lineEnd + 1 >= block.upperBound { lineEnd = block.upperBound }
            let match = name.withUTF8Buffer { value(named: UnsafeRawBufferPointer($0), in: bytes, line: cursor..<lineEnd) }
            if let match { return match }
            cursor = lineEnd + 2
        }
        return nil
    }

    /// The value of `line` when it is `name: value`.
    private static func value(named name: UnsafeRawBufferPointer, in bytes: UnsafeRawBufferPointer, line: Range<Int>)
        -> Range<Int>?
    {
        guard line.count > name.count, bytes[line.lowerBound + name.count] == UInt8(ascii: ":") else { return nil }
        for offset in 0..<name.count {
            var byte = bytes[line.lowerBound + offset]
            if byte >= 65 && byte <= 90 { byte += 32 }
            var lower = name[offset]
            if lower >= 65 && lower <= 90 { lower += 32 }
            guard byte == lower else { return nil }
        }
        var lower = line.lowerBound + name.count + 1
        var upper = line.upperBound
        while lower < upper && (bytes[lower] == 32 || bytes[lower] == 9) { lower += 1 }
        while upper > lower && (bytes[upper - 1] == 32 || bytes[upper - 1] == 9) { upper -= 1 }
        return lower..<upper
    }
}
