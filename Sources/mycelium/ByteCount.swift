import Foundation

/// A byte count as the command line writes it: `4096`, `64KiB`, `4MiB`, `1GiB`.
struct ByteCount {
    let bytes: Int

    private static let suffixes: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]

    /// Reads `text`; `option` names where it came from in the error.
    init(_ text: String, option: String) throws(UserError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var number = Substring(trimmed)
        var unit = 1
        for (suffix, multiplier) in Self.suffixes where trimmed.hasSuffix(suffix) {
            number = trimmed.dropLast(suffix.count)
            unit = multiplier
            break
        }
        guard let value = Int(number.trimmingCharacters(in: .whitespaces)), value >= 0,
            value.multipliedReportingOverflow(by: unit).overflow == false
        else {
            throw UserError(
                text:
                    "\(option) '\(text)' is not a byte count; write a whole number with an optional KiB, MiB or GiB suffix, e.g. 4MiB"
            )
        }
        bytes = value * unit
    }
}
