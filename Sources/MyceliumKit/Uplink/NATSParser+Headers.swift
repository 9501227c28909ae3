extension NATSParser {
    /// The status line every header block starts with.
    private static let headerVersion: [UInt8] = Array("NATS/1.0".utf8)

    /// The value of header `name` (case-insensitive, ASCII) in an `HMSG` header block, as a
    /// range of `bytes`, trimmed; `nil` when the block has no such header or does not start
    /// with `NATS/1.0`.
    ///
    /// ```swift
    /// // block: "NATS/1.0\r\nMycelium-Layout: 0a1b\r\n\r\n"
    /// NATSParser.headerValue(named: Array("mycelium-layout".utf8), in: bytes, block: headers)
    /// ```
    package static func headerValue(named name: [UInt8], in bytes: UnsafeRawBufferPointer, block: Range<Int>) -> Range<Int>? {
        let version = headerVersion
        guard block.count >= version.count,
            version.indices.allSatisfy({ bytes[block.lowerBound + $0] == version[$0] })
        else { return nil }
        var cursor = block.lowerBound
        // Skip the status line.
        while cursor + 1 < block.upperBound && !(bytes[cursor] == 13 && bytes[cursor + 1] == 10) { cursor += 1 }
        cursor += 2
        while cursor < block.upperBound {
            var lineEnd = cursor
            while lineEnd + 1 < block.upperBound && !(bytes[lineEnd] == 13 && bytes[lineEnd + 1] == 10) { lineEnd += 1 }
            if lineEnd + 1 >= block.upperBound { lineEnd = block.upperBound }
            if let match = value(named: name, in: bytes, line: cursor..<lineEnd) { return match }
            cursor = lineEnd + 2
        }
        return nil
    }

    /// The value of `line` when it is `name: value`.
    private static func value(named name: [UInt8], in bytes: UnsafeRawBufferPointer, line: Range<Int>) -> Range<Int>? {
        guard line.count > name.count, bytes[line.lowerBound + name.count] == UInt8(ascii: ":") else { return nil }
        for (offset, expected) in name.enumerated() {
            var byte = bytes[line.lowerBound + offset]
            if byte >= 65 && byte <= 90 { byte += 32 }
            var lower = expected
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
