/// A duration as the command line and the config file write it (`--drain-timeout`,
/// `--trim-interval`): `5` or `5s` (seconds), `500ms`.
enum DurationOption {
    /// Reads `text`; `option` names where it came from in the error.
    static func parse(_ text: String, option: String) throws(UserError) -> Duration {
        if text.hasSuffix("ms"), let milliseconds = Int(text.dropLast(2)), milliseconds >= 0 {
            return .milliseconds(milliseconds)
        }
        let seconds = text.hasSuffix("s") ? String(text.dropLast()) : text
        if let value = Double(seconds), value >= 0, value.isFinite {
            return .milliseconds(Int((value * 1000).rounded()))
        }
        throw UserError(text: "\(option) '\(text)' is not a duration; write seconds (5, 2.5s) or milliseconds (500ms)")
    }
}
