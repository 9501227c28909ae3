/// Maps backend names to factories. A value: no global state; make one, register into it,
/// pass it where pools are made.
///
/// ```swift
/// var registry = PoolRegistry.builtIn            // from MyceliumBackends
/// try registry.register("tracing", description: "arena that logs every grow") { configuration in
///     TracingPool(configuration: configuration)
/// }
/// let pool = try registry.make("tracing", configuration: configuration)
/// ```
public struct PoolRegistry: Sendable {
    /// Makes a pool from a configuration; errors it throws reach the caller of
    /// ``make(_:configuration:)`` wrapped in ``PoolRegistryError/factoryFailed(name:underlying:)``.
    public typealias Factory = @Sendable (PoolConfiguration) throws -> any PoolBackend

    /// A registered backend.
    public struct Entry: Sendable {
        /// The name it is made by.
        public let name: String
        /// One line on when to pick it.
        public let description: String
        let factory: Factory
    }

    private var entriesByName: [String: Entry] = [:]

    /// An empty registry.
    public init() {}

    /// Registers a backend under `name`.
    ///
    /// - Throws: ``PoolRegistryError/nameTaken(_:)`` when the name is registered already,
    ///   ``PoolRegistryError/invalidName(_:)`` for an empty name or one with whitespace.
    public mutating func register(_ name: String, description: String, factory: @escaping Factory) throws(PoolRegistryError) {
        guard !name.isEmpty, !name.contains(where: \.isWhitespace) else { throw .invalidName(name) }
        guard entriesByName[name] == nil else { throw .nameTaken(name) }
        entriesByName[name] = Entry(name: name, description: description, factory: factory)
    }

    /// Makes a pool of the backend registered as `name`.
    ///
    /// - Throws: ``PoolRegistryError/unknownName(_:registered:)`` listing the registered
    ///   names, or ``PoolRegistryError/factoryFailed(name:underlying:)``.
    public func make(_ name: String, configuration: PoolConfiguration) throws(PoolRegistryError) -> any PoolBackend {
        guard let entry = entriesByName[name] else { throw .unknownName(name, registered: names) }
        do {
            return try entry.factory(configuration)
        } catch {
            throw .factoryFailed(name: name, underlying: error)
        }
    }

    /// The registered names, sorted.
    public var names: [String] { entriesByName.keys.sorted() }

    /// The registered backends, sorted by name.
    public var entries: [Entry] { names.compactMap { entriesByName[$0] } }
}
