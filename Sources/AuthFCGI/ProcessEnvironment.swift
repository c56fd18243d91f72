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

/// Writes to a file descriptor, retrying short writes; used for stdout/stderr, which Swift 6
/// won't touch as C globals.
enum FileOutput {
    static func write(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    static func printError(_ line: String) {
        write(Array("auth-fcgi: \(line)\n".utf8), to: 2)
    }

    static func printOutput(_ text: String) {
        write(Array(text.utf8), to: 1)
    }
}
