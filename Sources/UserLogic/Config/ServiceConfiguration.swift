/// The settings of contract §4 that the request-handling service uses.
public struct ServiceConfiguration: Sendable {
    public var database: DatabaseLocation
    public var logLevel: Logger.Level

    public init(database: DatabaseLocation, logLevel: Logger.Level = .info) {
        self.database = database
        self.logLevel = logLevel
    }

    public static func load(from source: ConfigSource) throws(ConfigError) -> ServiceConfiguration {
        let levels = Dictionary(uniqueKeysWithValues: Logger.Level.allCases.map { ("\($0)", $0) })
        return ServiceConfiguration(
            database: try DatabaseLocation.parse(source.string("DATABASE_URL") ?? DatabaseLocation.defaultURL),
            logLevel: try source.choice("LOG_LEVEL", default: .info, levels)
        )
    }
}
