import Foundation

/// One Swift source file the generator made: its name in the output directory and its text.
public struct GeneratedFile: Sendable, Hashable {
    /// The file name, e.g. `Trade.swift`.
    public let name: String
    /// The Swift source.
    public let contents: String

    /// Creates a file.
    public init(name: String, contents: String) {
        self.name = name
        self.contents = contents
    }

    /// Writes `files` into `directory` (created if missing) all or nothing: each goes to a
    /// temporary file beside its target, and only when every one is written are they
    /// renamed into place. Files already there with the same names are replaced.
    ///
    /// - Throws: ``GeneratorError`` naming the directory or file and the system's reason;
    ///   the temporary files are removed then and no target is touched.
    public static func write(_ files: [GeneratedFile], to directory: String) throws(GeneratorError) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw GeneratorError(["cannot write to \(directory): it is a file, not a directory; pass a directory to --output"]
                )
            }
        } else {
            do {
                try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw GeneratorError(["cannot create the output directory \(directory): \(reason(error)); check the path"])
            }
        }
        let base = URL(fileURLWithPath: directory)
        for file in files {
            let target = (directory as NSString).appendingPathComponent(file.name)
            if manager.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
                throw GeneratorError(["cannot write \(target): a directory is in the way; remove it or pick another --output"])
            }
        }
        var written: [(temporary: URL, target: URL)] = []
        for file in files {
            let target = base.appendingPathComponent(file.name)
            let temporary = base.appendingPathComponent(".\(file.name).\(UUID().uuidString).tmp")
            do {
                try Data(file.contents.utf8).write(to: temporary, options: .withoutOverwriting)
            } catch {
                for pair in written { try? manager.removeItem(at: pair.temporary) }
                throw GeneratorError(["cannot write to \(directory): \(reason(error)); nothing was written"])
            }
            written.append((temporary, target))
        }
        for (index, pair) in written.enumerated() where rename(pair.temporary.path, pair.target.path) != 0 {
            let problem = String(cString: strerror(errno))
            for rest in written[index...] { try? manager.removeItem(at: rest.temporary) }
            throw GeneratorError(["cannot move \(pair.target.lastPathComponent) into \(directory): \(problem)"])
        }
    }

    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue)).lowercased()
        }
        return (error as NSError).localizedDescription
    }
}
