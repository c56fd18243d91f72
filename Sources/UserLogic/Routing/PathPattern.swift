/// A route's path: literal segments and named parameters, e.g. `/api/users/{id:int}`.
///
/// `{name}` matches any non-empty segment; `{name:int}` only a decimal number that fits an
/// `Int64`, so `/api/users/abc` is an unknown path (404) before any permission check.
public struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
        case integerParameter(String)
    }

    let segments: [Segment]
    public let description: String

    public init(_ pattern: String) {
        description = pattern
        segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { piece in
            guard piece.hasPrefix("{"), piece.hasSuffix("}") else { return .literal(String(piece)) }
            let inner = piece.dropFirst().dropLast()
            if inner.hasSuffix(":int") { return .integerParameter(String(inner.dropLast(4))) }
            return .parameter(String(inner))
        }
    }

    /// The parameters when `pathSegments` match, else nil.
    func match(_ pathSegments: [Substring]) -> PathParameters? {
        guard pathSegments.count == segments.count else { return nil }
        var parameters = PathParameters()
        for (segment, piece) in zip(segments, pathSegments) {
            switch segment {
            case .literal(let literal):
                guard piece == literal else { return nil }
            case .parameter(let name):
                guard !piece.isEmpty else { return nil }
                parameters.values.append((name, String(piece)))
            case .integerParameter(let name):
                guard piece.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                    Int64(piece) != nil
                else { return nil }
                parameters.values.append((name, String(piece)))
            }
        }
        return parameters
    }

    /// The path as OpenAPI writes it, `/api/users/{id}`: the metrics' route label.
    public var template: String { description.replacing(":int}", with: "}") }

    /// True when the pattern has no parameters: it matches one path, its description.
    var isLiteral: Bool { literalCount == segments.count }

    /// Literal-only patterns are preferred over parameterised ones (`/api/users/me`).
    var literalCount: Int {
        segments.count { if case .literal = $0 { true } else { false } }
    }
}

/// Values captured from the path by a route's pattern.
public struct PathParameters: Sendable {
    var values: [(name: String, value: String)] = []

    public init() {}

    public subscript(name: String) -> String? {
        values.first { $0.name == name }?.value
    }

    /// An `{name:int}` parameter; the pattern guarantees it parses.
    public func integer(_ name: String) -> Int64? {
        self[name].flatMap { Int64($0) }
    }
}
