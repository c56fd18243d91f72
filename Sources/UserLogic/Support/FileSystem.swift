import Glibc

/// The few file-system operations the service needs, over Glibc.
enum FileSystem {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `a/b/c.db` → `a/b`; a bare name → `.`.
    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `mkdir -p` with mode 0700: databases and keys are private to the service's user.
    static func createDirectories(_ path: String) throws(Failure) {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o700) != 0 && errno != EEXIST {
                throw Failure(description: "can't create \(partial): \(String(cString: strerror(errno)))")
            }
        }
    }
}
