import ArgumentParser
import ContractStore
import Foundation
import MyceliumKit

/// Runs a command body and turns the kit's error values into a short message on stderr and
/// exit status 1, so that a user error never shows a stack trace or ArgumentParser's usage.
/// `outcome` ends the list of a contract file's errors ("nothing was imported").
func reportingErrors(outcome: String = "nothing was imported", _ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        try report(error, outcome: outcome)
    }
}

/// The same for an `async` command body (`serve`, `stats`, `publish`, `subscribe`).
func reportingAsyncErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        try report(error, outcome: "nothing was imported")
    }
}

/// Prints a known error and throws `ExitCode.failure`; rethrows anything else.
private func report(_ error: any Error, outcome: String) throws -> Never {
    switch error {
    case let error as ContractError:
        printError((error.warnings + error.errors).map(\.description).joined(separator: "\n"))
        printError(
            error.errors.count == 1 ? "1 error; \(outcome)" : "\(error.errors.count) errors; \(outcome)")
    case let error as GeneratorError:
        printError(error.problems.map { "error: \($0)" }.joined(separator: "\n"))
    case let error as CatalogError:
        printError("error: \(error.withCommandLineAdvice)")
    case let error as UserError:
        printError("error: \(error.text)")
    case let error as BrokerError:
        printError("error: \(error)")
    case let error as WireError:
        printError("error: the broker answered \(error)")
    case let error as MyceliumClientError:
        printError("error: \(error)")
    default:
        throw error
    }
    throw ExitCode.failure
}

/// A mistake in the command line or its input that the kit's errors do not cover.
struct UserError: Error {
    let text: String
}

/// Writes one line (or several) to stderr.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
