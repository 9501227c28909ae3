/// What an import did (or, with `dryRun`, would do).
public struct ImportReport: Sendable, Hashable {
    /// The outcome for the set.
    public enum Outcome: String, Sendable, Hashable {
        /// The set was not in the catalog.
        case created
        /// The set replaced an older version of itself.
        case updated
        /// The file matches what the catalog holds: nothing was written.
        case unchanged
    }

    /// One message-level change against what the catalog held.
    public struct Change: Sendable, Hashable, CustomStringConvertible {
        /// What happened to the message.
        public enum Kind: String, Sendable, Hashable {
            /// New in this file.
            case added
            /// In the catalog, gone from this file.
            case removed
            /// Its max payload changed.
            case resized
            /// Same size, different fields, field order or type id.
            case changedLayout = "layout changed"
            /// Only the domain, description or schema_version changed.
            case changedMetadata = "metadata changed"
        }

        /// What happened.
        public let kind: Kind
        /// The message name.
        public let name: String
        /// Detail such as `25 -> 33 bytes`.
        public let detail: String

        /// `resized Trade (25 -> 33 bytes)`.
        public var description: String { "\(kind.rawValue) \(name)" + (detail.isEmpty ? "" : " (\(detail))") }
    }

    /// The set's key in the catalog.
    public let setKey: String
    /// The outcome.
    public let outcome: Outcome
    /// Message-level changes, empty when created or unchanged.
    public let changes: [Change]
    /// The imported set.
    public let set: ContractSet
    /// Warnings from parsing (unused keys), with file:line.
    public let warnings: [ContractDiagnostic]
    /// Whether a breaking change went in only because of `force`.
    public let forced: Bool
    /// True when nothing was written because the import was a dry run.
    public let dryRun: Bool
    /// The catalog digest after the import (or as it would be, for a dry run).
    public let catalogDigest: [UInt8]
}
