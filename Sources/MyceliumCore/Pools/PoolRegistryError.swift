/// Why a registry could not register or make a backend.
///
/// A struct with a ``Code`` rather than an enum, so that new kinds can be added without
/// breaking `switch`es: compare ``code``.
///
/// ```swift
/// do {
///     pool = try registry.make(name, configuration: configuration)
/// } catch where error.code == .unknownName {
///     print("pick one of", registry.names)
/// }
/// ```
public struct PoolRegistryError: Error, CustomStringConvertible {
    /// The kind of a ``PoolRegistryError``: compare it with the static members of its extension.
    public typealias Code = ErrorCode<PoolRegistryError>

    private enum Details {
        case unknownName(String, registered: [String])
        case nameTaken(String)
        case invalidName(String)
        case factoryFailed(name: String, underlying: any Error)
    }

    private let details: Details

    /// No backend is registered as `name`; `registered` lists the names that are.
    public static func unknownName(_ name: String, registered: [String]) -> PoolRegistryError {
        PoolRegistryError(details: .unknownName(name, registered: registered))
    }

    /// A backend is registered as `name` already.
    public static func nameTaken(_ name: String) -> PoolRegistryError { PoolRegistryError(details: .nameTaken(name)) }

    /// `name` is empty or contains whitespace.
    public static func invalidName(_ name: String) -> PoolRegistryError { PoolRegistryError(details: .invalidName(name)) }

    /// The factory of the backend registered as `name` threw `underlying`.
    public static func factoryFailed(name: String, underlying: any Error) -> PoolRegistryError {
        PoolRegistryError(details: .factoryFailed(name: name, underlying: underlying))
    }

    /// What kind of failure this is.
    public var code: Code {
        switch details {
        case .unknownName: .unknownName
        case .nameTaken: .nameTaken
        case .invalidName: .invalidName
        case .factoryFailed: .factoryFailed
        }
    }

    /// The backend name the call was given.
    public var name: String {
        switch details {
        case .unknownName(let name, _), .nameTaken(let name), .invalidName(let name), .factoryFailed(let name, _): name
        }
    }

    /// The names registered, for `.unknownName`; empty otherwise.
    public var registered: [String] {
        if case .unknownName(_, let registered) = details { return registered }
        return []
    }

    /// What the factory threw, for `.factoryFailed`.
    public var underlying: (any Error)? {
        if case .factoryFailed(_, let underlying) = details { return underlying }
        return nil
    }

    /// Names the backend and what to do.
    public var description: String {
        switch details {
        case .unknownName(let name, let registered):
            "unknown pool backend '\(name)'; registered: \(registered.joined(separator: ", "))"
        case .nameTaken(let name):
            "a pool backend named '\(name)' is registered already; pick another name"
        case .invalidName(let name):
            "'\(name)' is not a usable pool backend name: use a non-empty name without spaces"
        case .factoryFailed(let name, let underlying):
            "pool backend '\(name)' failed to start: \(underlying)"
        }
    }
}

extension ErrorCode where Owner == PoolRegistryError {
    /// No backend is registered under the name.
    public static var unknownName: Self { Self("unknown name") }
    /// A backend is registered under the name already.
    public static var nameTaken: Self { Self("name taken") }
    /// The name is empty or contains whitespace.
    public static var invalidName: Self { Self("invalid name") }
    /// The backend's factory threw.
    public static var factoryFailed: Self { Self("factory failed") }
}
