import CPosix
import Glibc
import UserLogic

/// Reading the process environment and the optional `.env` file.
enum ProcessEnvironment {
    /// Every `NAME=value` of the environment.
    static func variables() -> [String: String] {
        var variables: [String: String] = [:]
        guard var entry = cposix_environment() else { return variables }
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return variables
    }

    /// The configuration: the environment over `.env` in the working directory, if present.
    static func configSource() throws(ConfigError) -> ConfigSource {
        let dotEnv = try FileSystem.readFile(".env").map { text throws(ConfigError) in try DotEnv.parse(text) } ?? [:]
        return ConfigSource(environment: variables(), dotEnv: dotEnv)
    }
}

/// Messages for the person at the terminal, written straight to the descriptors (Swift 6
/// won't touch `stdout`/`stderr` as C globals).
enum FileOutput {
    static func printError(_ line: String) {
        FileSystem.writeAll(2, Array("auth-fcgi: \(line)\n".utf8))
    }

    static func printOutput(_ text: String) {
        FileSystem.writeAll(1, Array(text.utf8))
    }
}
