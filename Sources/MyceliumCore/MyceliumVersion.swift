/// The version of this build of Mycelium: what `mycelium --version` prints, the name a broker
/// gives itself in its HELLO (`mycelium 0.2.0`), and the `version` label of
/// `mycelium_build_info`.
public enum MyceliumVersion {
    /// The version, `MAJOR.MINOR.PATCH` with an optional `-suffix`.
    public static let current = "0.2.0-dev"

    /// The peer name a broker sends in its HELLO: `mycelium` and the version.
    public static var brokerPeerName: String { "mycelium \(current)" }
}
