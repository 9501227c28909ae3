import ArgumentParser
import Foundation

/// `--token TOKEN`, else `$MYCELIUM_TOKEN`: the access token client commands send in HELLO to
/// a broker started with `serve --auth FILE`. The variable keeps the token out of `ps`.
struct TokenOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The access token for a broker run with --auth (16-1024 bytes). Default: $MYCELIUM_TOKEN.",
            valueName: "token"))
    var token: String?

    /// The token in effect: the flag's, else the environment's; `nil` when neither is set or
    /// the variable is empty.
    var effective: String? {
        token ?? ProcessInfo.processInfo.environment["MYCELIUM_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
