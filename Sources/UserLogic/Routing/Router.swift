/// Maps a method and path to a route. Built once at start and shared read-only by every
/// worker thread.
public struct Router: Sendable {
    public enum Match {
        case found(Route, PathParameters)
        /// The path exists but not with this method; the methods it has, for `Allow`.
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    /// Every route, in registration order.
    public let routes: [Route]
    /// Routes grouped by pattern, most literal segments first, so `/api/users/me` wins over
    /// `/api/users/{id}`.
    private let patterns: [(pattern: PathPattern, routes: [Route])]
    /// The routes of each pattern without parameters, by its exact path: most requests find
    /// theirs with one lookup. Such a pattern wins whenever it matches, since any other
    /// pattern that matches the same path has fewer literal segments.
    private let literalPaths: [String: [Route]]

    public init(routes: [Route]) {
        let routes = routes.enumerated().map { index, route in
            var indexed = route
            indexed.index = index
            return indexed
        }
        self.routes = routes
        var grouped: [(pattern: PathPattern, routes: [Route])] = []
        for route in routes {
            if let position = grouped.firstIndex(where: { $0.pattern == route.pattern }) {
                grouped[position].routes.append(route)
            } else {
                grouped.append((route.pattern, [route]))
            }
        }
        patterns = grouped.enumerated()
            .sorted { ($0.element.pattern.literalCount, -$0.offset) > ($1.element.pattern.literalCount, -$1.offset) }
            .map(\.element)
        literalPaths = Dictionary(
            uniqueKeysWithValues: patterns.filter { $0.pattern.isLiteral }.map { ($0.pattern.description, $0.routes) })
    }

    public func match(method: String, path: String) -> Match {
        if let routes = literalPaths[path] {
            return Self.match(method: method, among: routes, parameters: PathParameters())
        }
        guard path.hasPrefix("/") else { return .notFound }
        // Split on the UTF-8 bytes: Character-wise splitting is the slower path for every request.
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
            .map { Substring($0) }
        for (pattern, routes) in patterns {
            guard let parameters = pattern.match(segments) else { continue }
            return Self.match(method: method, among: routes, parameters: parameters)
        }
        return .notFound
    }

    /// The route of a matched pattern for `method`, else 405 with the pattern's methods.
    private static func match(method: String, among routes: [Route], parameters: PathParameters) -> Match {
        // HEAD is served by the GET handler; nginx drops the body.
        let wanted = method == "HEAD" ? "GET" : method
        if let route = routes.first(where: { $0.method == wanted }) {
            return .found(route, parameters)
        }
        return .methodNotAllowed(allowed: allowedMethods(routes))
    }

    private static func allowedMethods(_ routes: [Route]) -> [String] {
        var methods: [String] = []
        for route in routes {
            methods.append(route.method)
            if route.method == "GET" { methods.append("HEAD") }
        }
        return methods
    }
}
