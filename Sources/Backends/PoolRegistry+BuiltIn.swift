public import MyceliumKit

extension PoolRegistry {
    /// A registry holding the built-in backends: `system` (more are added as they land).
    public static var builtIn: PoolRegistry {
        var registry = PoolRegistry()
        do {
            try registry.register(
                SystemPool.registeredName,
                description: "no pooling: malloc/free per buffer; the baseline, and the one to run under AddressSanitizer"
            ) {
                SystemPool(configuration: $0)
            }
        } catch {
            preconditionFailure("built-in pool names collide: \(error)")
        }
        return registry
    }
}
