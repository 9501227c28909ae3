/// A short aligned table for human output: a header row, then rows; numeric columns are
/// right-aligned.
struct TextTable {
    let header: [String]
    var rows: [[String]] = []
    /// Column indices aligned to the right.
    let rightAligned: Set<Int>

    init(_ header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as text, two spaces between columns, no trailing spaces.
    func render(indent: String = "") -> String {
        let widths = header.indices.map { column in
            ([header] + rows).map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return ([header] + rows).map { row in
            let cells = header.indices.map { column -> String in
                let cell = column < row.count ? row[column] : ""
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }
            let line = indent + cells.joined(separator: "  ")
            return String(line.reversed().drop { $0 == " " }.reversed())
        }.joined(separator: "\n")
    }
}
