import ArgumentParser
import ContractStore
import Foundation

/// Runs a command body and turns the kit's error values into a short message on stderr and
/// exit status 1, so that a user error never shows a stack trace or ArgumentParser's usage.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ContractError {
        printError((error.warnings + error.errors).map(\.description).joined(separator: "\n"))
        printError(
            error.errors.count == 1 ? "1 error; nothing was imported" : "\(error.errors.count) errors; nothing was imported")
        throw ExitCode.failure
    } catch let error as CatalogError {
        printError("error: \(error)")
        throw ExitCode.failure
    } catch let error as UserError {
        printError("error: \(error.text)")
        throw ExitCode.failure
    }
}

/// A mistake in the command line or its input that the kit's errors do not cover.
struct UserError: Error {
    let text: String
}

/// Writes one line (or several) to stderr.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
