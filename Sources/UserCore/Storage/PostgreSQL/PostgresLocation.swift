internal import CPostgres

/// A PostgreSQL database named by `DATABASE_URL`:
/// `postgresql://user:password@host:port/dbname?sslmode=require` (or `postgres://`), with
/// percent-encoded parts, several `host:port` pairs separated by commas, and any libpq
/// parameter in the query (`?host=/run/postgresql` for a unix socket directory,
/// `connect_timeout`, `sslrootcert`, `application_name`, ...).
///
/// Parsed here rather than handed to libpq as is, so a bad URL is a one-line start-up error
/// and the password can be kept out of every description: `description` is the URL with the
/// password replaced by `***`.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// libpq keyword/value pairs in URL order, the password among them.
    package let parameters: [Parameter]
    /// The URL without its password, for messages and logs.
    public let description: String

    package struct Parameter: Sendable, Equatable {
        package let keyword: String
        package let value: String
    }

    public var debugDescription: String { description }

    static let sslModes: Set<String> = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    /// What a connection uses unless the URL says otherwise: no request waits long for a
    /// server that is gone (connect timeout, TCP keepalives and user timeout) or for a
    /// statement or a lock (statement timeout), and a transaction left open by a client
    /// that vanished doesn't hold its locks for long.
    static let defaults: [Parameter] = [
        Parameter(keyword: "connect_timeout", value: "5"),
        Parameter(keyword: "keepalives", value: "1"),
        Parameter(keyword: "keepalives_idle", value: "30"),
        Parameter(keyword: "keepalives_interval", value: "5"),
        Parameter(keyword: "keepalives_count", value: "3"),
        Parameter(keyword: "tcp_user_timeout", value: "15000"),
        Parameter(keyword: "application_name", value: "auth-fcgi"),
        Parameter(
            keyword: "options", value: "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=30000"),
    ]

    /// The libpq connection string: the defaults, then the URL's parameters (later ones win),
    /// then UTF-8 as the client encoding, which the service's strings need.
    var conninfo: String {
        (Self.defaults + parameters + [Parameter(keyword: "client_encoding", value: "UTF8")])
            .map { "\($0.keyword)='\(Self.quoted($0.value))'" }
            .joined(separator: " ")
    }

    /// `value` escaped for a single-quoted conninfo value.
    static func quoted(_ value: String) -> String {
        var result = ""
        for character in value.unicodeScalars {
            if character == "\\" || character == "'" { result.unicodeScalars.append("\\") }
            result.unicodeScalars.append(character)
        }
        return result
    }

    /// The same server and settings, another database (tests make one per case).
    func with(database: String) -> PostgresLocation {
        PostgresLocation(
            parameters: parameters.filter { $0.keyword != "dbname" } + [Parameter(keyword: "dbname", value: database)],
            description: description + " (database \(database))")
    }

    package static func isPostgresURL(_ url: String) -> Bool {
        url.hasPrefix("postgresql://") || url.hasPrefix("postgres://")
    }

    /// Parses a `postgresql://` or `postgres://` URL. Errors never repeat the URL, which may
    /// hold a password.
    package static func parse(_ url: String) throws(ConfigError) -> PostgresLocation {
        func failure(_ problem: String) -> ConfigError { ConfigError("DATABASE_URL", problem) }
        func decoded(_ text: Substring, _ part: String) throws(ConfigError) -> String {
            guard let value = PercentDecoding.decode(text, plusAsSpace: false), !value.utf8.contains(0) else {
                throw failure("the \(part) of the PostgreSQL URL has a broken %-escape")
            }
            return value
        }
        let scheme = url.hasPrefix("postgresql://") ? "postgresql://" : "postgres://"
        var rest = Substring(url.dropFirst(scheme.count))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var parameters: [Parameter] = []
        var shown = "postgresql://"
        // user[:password]@ — the last @, as a password may hold an unescaped one.
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let colon = userInfo.firstIndex(of: ":")
            let user = try decoded(userInfo[..<(colon ?? userInfo.endIndex)], "user name")
            if !user.isEmpty { parameters.append(Parameter(keyword: "user", value: user)) }
            shown += userInfo[..<(colon ?? userInfo.endIndex)]
            if let colon {
                let password = try decoded(userInfo[userInfo.index(after: colon)...], "password")
                parameters.append(Parameter(keyword: "password", value: password))
                shown += ":***"
            }
            shown += "@"
        }
        shown += rest
        // host[:port] pairs, comma-separated; an IPv6 address in brackets.
        if !rest.isEmpty {
            var hosts: [String] = []
            var ports: [String] = []
            for entry in rest.split(separator: ",", omittingEmptySubsequences: false) {
                var host = entry
                var port: Substring = ""
                if host.hasPrefix("[") {
                    guard let close = host.firstIndex(of: "]") else { throw failure("an IPv6 host lacks its ]") }
                    let after = host[host.index(after: close)...]
                    host = host[host.index(after: host.startIndex)..<close]
                    if after.hasPrefix(":") {
                        port = after.dropFirst()
                    } else if !after.isEmpty {
                        throw failure("unexpected text after an IPv6 host")
                    }
                } else if let colon = host.lastIndex(of: ":") {
                    port = host[host.index(after: colon)...]
                    host = host[..<colon]
                }
                guard
                    port.isEmpty
                        || (port.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } && Int(port).map { 1...65535 ~= $0 } == true)
                else { throw failure("the port must be a number from 1 to 65535") }
                hosts.append(try decoded(host, "host"))
                ports.append(String(port))
            }
            if hosts.contains(where: { !$0.isEmpty }) {
                parameters.append(Parameter(keyword: "host", value: hosts.joined(separator: ",")))
            }
            if ports.contains(where: { !$0.isEmpty }) {
                parameters.append(Parameter(keyword: "port", value: ports.joined(separator: ",")))
            }
        }
        if !path.isEmpty {
            parameters.append(Parameter(keyword: "dbname", value: try decoded(path, "database name")))
            shown += "/" + path
        }
        var shownQuery: [String] = []
        for pair in query.split(separator: "&") {
            let equals = pair.firstIndex(of: "=")
            let rawKey = pair[..<(equals ?? pair.endIndex)]
            var keyword = try decoded(rawKey, "query")
            var value = try decoded(equals.map { pair[pair.index(after: $0)...] } ?? "", "query")
            guard !keyword.isEmpty, equals != nil else {
                throw failure("each query parameter of the PostgreSQL URL must be name=value")
            }
            // libpq's own URL parser takes the JDBC spelling ssl=true as sslmode=require.
            if keyword == "ssl" && value == "true" {
                keyword = "sslmode"
                value = "require"
            }
            if keyword == "sslmode" && !sslModes.contains(value) {
                throw failure("sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full")
            }
            parameters.append(Parameter(keyword: keyword, value: value))
            shownQuery.append(keyword == "password" ? "password=***" : String(pair))
        }
        if !shownQuery.isEmpty { shown += "?" + shownQuery.joined(separator: "&") }
        let location = PostgresLocation(parameters: parameters, description: shown)
        try location.validate()
        return location
    }

    /// Lets libpq check the keywords (an unknown one is refused at start, not at the first
    /// request); its message names the keyword, never a value.
    private func validate() throws(ConfigError) {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &message) else {
            let text = message.map { String(cString: $0) } ?? "not a valid PostgreSQL connection"
            if let message { PQfreemem(message) }
            throw ConfigError("DATABASE_URL", String(text.trimmingASCIIWhitespace()))
        }
        PQconninfoFree(options)
    }
}
