/// A configuration value that can't be used: reported as one line naming the variable.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public init(_ variable: String, _ problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "\(variable): \(problem)" }
}
