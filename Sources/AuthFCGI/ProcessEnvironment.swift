import UserCore

/// Reading the process environment and the optional `.env` file.
enum ProcessEnvironment {
    /// The configuration: the environment over `.env` in the working directory, if present.
    static func configSource() throws(ConfigError) -> ConfigSource {
        let dotEnv = try FileSystem.readFile(".env").map { text throws(ConfigError) in try DotEnv.parse(text) } ?? [:]
        return .processEnvironment(over: dotEnv)
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
