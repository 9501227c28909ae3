import Foundation
import Glibc
import MyceliumKit
import Testing

@Suite("mycelium auth hash and serve --auth")
struct AuthCommandTests {
    static let pricerToken = "pricer-token-0123456789"
    /// `printf %s pricer-token-0123456789 | sha256sum`
    static let pricerHash = "33e77b56eee97aaf1aaa7bb56e4dad0c874df5ee85ce1575a7eaa651df4ee2e7"
    static let readerToken = "reader-token-0123456789"

    @Test("auth hash prints the SHA-256 of stdin without its trailing newline")
    func hashesAGoodToken() async throws {
        let cli = try CLI()
        for input in [Self.pricerToken, Self.pricerToken + "\n", Self.pricerToken + "\r\n"] {
            let result = try await cli.run("auth", "hash", input: input)
            #expect(result.status == 0 && result.stdout == Self.pricerHash + "\n", "\(result.stderr)")
        }
    }

    @Test("auth hash refuses tokens shorter than 16 bytes or longer than 1024")
    func refusesShortAndLongTokens() async throws {
        let cli = try CLI()
        let short = try await cli.run("auth", "hash", input: "fifteen-bytes-x\n")
        #expect(short.status == 1 && short.stdout.isEmpty)
        #expect(
            short.stderr.contains(
                "error: the token has 15 bytes; a token needs at least 16 random bytes (e.g. `openssl rand -hex 16`), or it could be guessed"
            ))
        let long = try await cli.run("auth", "hash", input: String(repeating: "x", count: 1025))
        #expect(long.status == 1 && long.stderr.contains("the token has 1025 bytes; a token has at most 1024"))
        let nul = try await cli.run("auth", "hash", input: "0123456789\u{0}abcdefgh")
        #expect(
            nul.status == 1
                && nul.stderr.contains(
                    "the token is not UTF-8 text without NUL; use printable text, e.g. `openssl rand -hex 16`")
        )
    }

    /// `serve --auth` with `text` as the auth file; returns its stderr after it exits.
    private func refusal(_ cli: CLI, _ text: String) async throws -> String {
        let path = try cli.write("users.yaml", text)
        let result = try await cli.run("serve", "--auth", path, "--tcp", "127.0.0.1:0")
        #expect(result.status == 1, "serve started with \(text)")
        return result.stderr.replacingOccurrences(of: path, with: "FILE")
    }

    @Test("serve refuses an auth file it cannot use, naming file:line and what to do")
    func refusesBadAuthFiles() async throws {
        let cli = try CLI()
        let good = "    token_sha256: \"\(Self.pricerHash)\"\n"
        #expect(
            try await refusal(cli, "users:\n  pricer:\n" + good + "    publish: [Trade, Trad]\n    subscribe: [\"*\"]\n")
                .contains(
                    "FILE:4: user 'pricer': publish names 'Trad', which is not a message in the catalog; use a name or type id that `mycelium contracts list` shows, or \"*\""
                ))
        #expect(
            try await refusal(cli, "users:\n  pricer:\n" + good + "    publish: [Trade]\n    subscribe: [4242]\n").contains(
                "FILE:5: user 'pricer': subscribe names '4242', which is not a message in the catalog"))
        #expect(
            try await refusal(cli, "users:\n  pricer:\n    token_sha256: \"9f86d081\"\n    publish: []\n    subscribe: []\n")
                .contains(
                    "FILE:3: user 'pricer': token_sha256 must be 64 hex digits (a SHA-256 hash), not '9f86d081'; print it with `mycelium auth hash`"
                ))
        let notHex = String(repeating: "g", count: 64)
        #expect(
            try await refusal(cli, "users:\n  pricer:\n    token_sha256: \(notHex)\n    publish: []\n    subscribe: []\n")
                .contains("FILE:3: user 'pricer': token_sha256 must be 64 hex digits"))
        #expect(
            try await refusal(cli, "users:\n  pricer:\n" + good + "    publish: [Trade\n").contains(
                "FILE:5: not valid YAML:"))
        #expect(
            try await refusal(cli, "users:\n  pricer:\n" + good + "    publish: [Trade]\n").contains(
                "FILE:2: user 'pricer' has no 'subscribe'; add a list of message names or type ids (\"*\" for all, [] for none)"
            ))
        #expect(
            try await refusal(cli, "users:\n  pricer:\n    publish: []\n    subscribe: []\n").contains(
                "FILE:2: user 'pricer' has no 'token_sha256'; add the hash `mycelium auth hash` prints for their token"))
        #expect(
            try await refusal(cli, "users:\n  pricer:\n" + good + "    publish: []\n    subscribe: []\n    admin: yes\n")
                .contains("FILE:6: user 'pricer': unknown key 'admin'; a user has token_sha256, publish, subscribe"))
        #expect(
            try await refusal(cli, "pricer:\n" + good).contains("FILE:1: unknown key 'pricer'; an auth file has only 'users'"))
        #expect(try await refusal(cli, "").contains("FILE:1: an auth file is a mapping with a 'users' key"))
        #expect(
            try await refusal(cli, "users: {}\n").contains(
                "FILE:1: 'users' must be a mapping of user names to their entries, with at least one user"))
        #expect(
            try await refusal(cli, "users:\n  pricer: yes\n").contains(
                "FILE:2: user 'pricer' must be a mapping with token_sha256, publish, subscribe"))
        #expect(
            try await refusal(cli, "users:\n  pricer:\n" + good + "    publish: {Trade: 1}\n    subscribe: []\n").contains(
                "FILE:4: user 'pricer': 'publish' must be a list of message names or type ids, e.g. [Trade, 1102]"))
        #expect(
            try await refusal(
                cli,
                "users:\n  a:\n" + good + "    publish: []\n    subscribe: []\n  b:\n" + good
                    + "    publish: []\n    subscribe: []\n"
            ).contains("FILE:7: user 'b' has the same token hash as user 'a' (line 3); give each user a token"))
        let missing = try await cli.run("serve", "--auth", cli.path("absent.yaml"), "--tcp", "127.0.0.1:0")
        #expect(
            missing.status == 1 && missing.stderr.contains("cannot read auth file \(cli.path("absent.yaml")); check the path"))
    }

    @Test("an unauthorized client is refused while a permitted publisher and subscriber work; stats counts the refusals")
    func servesPermittedClientsOnly() async throws {
        let cli = try CLI()
        let readerHash = try await cli.run("auth", "hash", input: Self.readerToken).stdout.trimmingCharacters(in: .newlines)
        try cli.write(
            "users.yaml",
            """
            users:
              pricer:
                token_sha256: "\(Self.pricerHash)"
                publish: [Trade, 1102]
                subscribe: ["*"]
              reader:
                token_sha256: "\(readerHash)"
                publish: []
                subscribe: [Trade]
            """)
        try cli.write("serve.yaml", "auth: users.yaml\nunix: \(cli.path("bus.sock"))\n")
        let serve = try await ServeProcess(cli, ["--config", cli.path("serve.yaml"), "--pool", "system"])
        let socket = cli.path("bus.sock")
        #expect(serve.stderr.contains("access=2 users"))

        let subscriber = try RunningCLI(cli, "subscribe", "Trade", "--unix", socket, "--token", Self.readerToken, "--count", "1")
        try await subscriber.waitForStderr("subscribed to")

        let anonymous = try await cli.run("publish", "Trade", "--json", Samples.trade, "--unix", socket)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.contains("error: the broker reported ERROR 9 (not authorized): connection #"))
        #expect(anonymous.stderr.contains("sent HELLO without a token"))
        let wrong = try await cli.run(
            "publish", "Trade", "--json", Samples.trade, "--unix", socket, environment: ["MYCELIUM_TOKEN": "nobody-0123456789abc"]
        )
        #expect(wrong.status == 1 && wrong.stderr.contains("sent a token that matches no user"))
        let denied = try await cli.run(
            "publish", "Trade", "--json", Samples.trade, "--unix", socket, environment: ["MYCELIUM_TOKEN": Self.readerToken])
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("ERROR 10 (permission denied)") && denied.stderr.contains("may not publish type 1101"))

        let published = try await cli.run(
            "publish", "Trade", "--json", Samples.trade, "--unix", socket, environment: ["MYCELIUM_TOKEN": Self.pricerToken])
        #expect(published.status == 0, "\(published.stderr)")
        let received = try await subscriber.finish()
        #expect(received.status == 0 && received.stdout == Samples.tradeLine + "\n", "\(received.stderr)")

        let refusedStats = try await cli.run("stats", "--unix", socket)
        #expect(refusedStats.status == 1 && refusedStats.stderr.contains("ERROR 9 (not authorized)"))
        let stats = try await cli.run("stats", "--unix", socket, "--token", Self.pricerToken, "--json")
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(try CLI.json(stats.stdout)["auth_refusals"] as? Int == 4)
        #expect(try await serve.stop() == 0)
        #expect(!serve.stderr.contains(Self.pricerToken) && !serve.stderr.contains(Self.readerToken))
    }

    @Test("serve warns about a TCP listener on a non-loopback address without --auth")
    func warnsAboutAnOpenNonLoopbackListener() async throws {
        let cli = try CLI()
        let open = try await ServeProcess(cli, ["--tcp", "0.0.0.0:0", "--pool", "system"])
        #expect(try await open.stop() == 0)
        #expect(open.stderr.contains("listening on a non-loopback address without access control"))
    }
}
