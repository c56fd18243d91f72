/// Hashing methods for new password hashes. Verification accepts every method libxcrypt knows.
public enum PasswordScheme: String, Sendable {
    case yescrypt, bcrypt

    /// The `crypt_gensalt` prefix of new hashes.
    var prefix: String {
        switch self {
        case .yescrypt: "$y$"
        case .bcrypt: "$2b$"
        }
    }
}

/// Method and cost of new hashes; a stored hash made otherwise is rehashed at the next login.
public struct PasswordPolicy: Sendable, Equatable {
    public var scheme: PasswordScheme
    /// yescrypt: 1...11, logarithmic (libxcrypt's default 5 takes ~16 ms here).
    /// bcrypt: 4...31, log2 of the rounds (default 12).
    public var cost: Int

    /// The cost must be in `validCosts(for: scheme)`; configuration checks it first.
    public init(scheme: PasswordScheme, cost: Int) {
        precondition(Self.validCosts(for: scheme).contains(cost), "PasswordPolicy: cost \(cost) invalid for \(scheme)")
        self.scheme = scheme
        self.cost = cost
    }

    public static let defaultPolicy = PasswordPolicy(scheme: .yescrypt, cost: 5)

    public static func validCosts(for scheme: PasswordScheme) -> ClosedRange<Int> {
        switch scheme {
        case .yescrypt: 1...11
        case .bcrypt: 4...31
        }
    }

    /// libxcrypt's own default cost for the scheme.
    public static func defaultCost(for scheme: PasswordScheme) -> Int {
        switch scheme {
        case .yescrypt: 5
        case .bcrypt: 12
        }
    }
}
