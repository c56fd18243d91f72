import UserCore

/// Where the FastCGI server listens.
enum ListenAddress: Equatable {
    case unixSocket(path: String)
    /// `host:port` or `:port` (all interfaces).
    case tcp(host: String, port: Int)

    /// `unix:/path.sock`, `/path.sock`, `host:port` or `:port`.
    static func parse(_ text: String, variable: String) throws(ConfigError) -> ListenAddress {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw ConfigError(variable, "unix: needs a socket path") }
            return .unixSocket(path: path)
        }
        if text.hasPrefix("/") || text.hasPrefix("./") { return .unixSocket(path: text) }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else {
            throw ConfigError(variable, "must be unix:/path.sock, /path.sock, host:port or :port, got \"\(text)\"")
        }
        return .tcp(host: String(text[..<colon]), port: port)
    }

    /// The address in the form `FCGX_OpenSocket` takes.
    var fastCGIPath: String {
        switch self {
        case .unixSocket(let path): path
        case .tcp(let host, let port): "\(host):\(port)"
        }
    }
}

/// The FastCGI server's process and thread model, from flags over the environment
/// (`Settings.fastCGIListen`, `fastCGIThreads`, `fastCGIWorkers`).
struct ServerOptions {
    /// nil: use the listening socket inherited at fd 0 (spawn-fcgi, systemd).
    var listen: ListenAddress?
    var threads: Int
    var workers: Int

    /// Reads each setting from its flag (`--listen`, `--threads`, `--workers`) or else its
    /// variable; errors name whichever was used.
    static func load(from source: ConfigSource, flags: [String: String]) throws(ConfigError) -> ServerOptions {
        func setting(_ setting: some Setting) -> (text: String, name: String)? {
            if let flag = setting.flag, let text = flags[flag] { return (text, flag) }
            return source.string(setting.name).map { ($0, setting.name) }
        }
        var options = ServerOptions(
            listen: nil, threads: Settings.fastCGIThreads.defaultValue, workers: Settings.fastCGIWorkers.defaultValue)
        if let (text, name) = setting(Settings.fastCGIListen) {
            options.listen = try ListenAddress.parse(text, variable: name)
        }
        if let (text, name) = setting(Settings.fastCGIThreads) {
            options.threads = try Settings.fastCGIThreads.parse(text, name: name)
        }
        if let (text, name) = setting(Settings.fastCGIWorkers) {
            options.workers = try Settings.fastCGIWorkers.parse(text, name: name)
        }
        return options
    }
}
