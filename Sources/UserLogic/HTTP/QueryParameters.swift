import UserCore

/// The decoded parameters of a query string, in order. The first occurrence of a name wins.
public struct QueryParameters: Sendable, Equatable {
    public private(set) var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    /// Parses `a=1&b=two+words&c`. Pieces that don't decode (a broken `%` escape, bytes that
    /// aren't UTF-8) are dropped, like unknown parameters: a value the service reads is then
    /// missing and gets the usual validation error.
    public init(parsing query: String) {
        var pairs: [(name: String, value: String)] = []
        for piece in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let text = Substring(piece)
            let name: Substring
            let value: Substring
            if let equals = text.firstIndex(of: "=") {
                name = text[..<equals]
                value = text[text.index(after: equals)...]
            } else {
                name = text
                value = ""
            }
            guard let decodedName = PercentDecoding.decode(name, plusAsSpace: true),
                let decodedValue = PercentDecoding.decode(value, plusAsSpace: true)
            else { continue }
            pairs.append((decodedName, decodedValue))
        }
        self.pairs = pairs
    }

    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    public static func == (lhs: QueryParameters, rhs: QueryParameters) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }
}
