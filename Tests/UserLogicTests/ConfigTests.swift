import Testing

@testable import UserLogic

@Suite struct DotEnvTests {
    @Test func parsesTheUsualForms() throws {
        let values = try DotEnv.parse(
            """
            # comment
            PLAIN=value
            export EXPORTED=yes
            SPACED = around  
            EMPTY=
            SINGLE='a "b" #c'
            DOUBLE="line\\nnext \\"q\\""
            COMMENTED=abc # trailing
            HASH=a#b
            WINDOWS=crlf\r

            """)
        #expect(values["PLAIN"] == "value")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["SPACED"] == "around")
        #expect(values["EMPTY"] == "")
        #expect(values["SINGLE"] == #"a "b" #c"#)
        #expect(values["DOUBLE"] == "line\nnext \"q\"")
        #expect(values["COMMENTED"] == "abc")
        #expect(values["HASH"] == "a#b")
        #expect(values["WINDOWS"] == "crlf")
    }

    @Test func reportsTheLine() {
        #expect(throws: ConfigError(".env line 2", "expected KEY=value")) { try DotEnv.parse("A=1\nnot a pair\n") }
        #expect(throws: ConfigError(".env line 1", "invalid variable name")) { try DotEnv.parse("1A=1") }
        #expect(throws: ConfigError(".env line 1", "unterminated quoted value")) { try DotEnv.parse("A=\"open") }
    }
}

@Suite struct ConfigSourceTests {
    @Test func environmentWinsOverDotEnv() {
        let source = ConfigSource(environment: ["A": "env"], dotEnv: ["A": "file", "B": "file"])
        #expect(source.string("A") == "env")
        #expect(source.string("B") == "file")
        #expect(source.string("C") == nil)
    }

    @Test func typedReadersNameTheVariable() throws {
        let source = ConfigSource(environment: ["N": "abc", "BIG": "99", "OK": "7", "FLAG": "maybe", "ON": "TRUE"])
        #expect(throws: ConfigError("N", "must be a whole number from 1 to 10, got \"abc\"")) {
            try source.integer("N", default: 1, range: 1...10)
        }
        #expect(throws: ConfigError("BIG", "must be from 1 to 10, got 99")) { try source.integer("BIG", default: 1, range: 1...10) }
        #expect(try source.integer("OK", default: 1, range: 1...10) == 7)
        #expect(try source.integer("UNSET", default: 3, range: 1...10) == 3)
        #expect(throws: ConfigError.self) { try source.boolean("FLAG", default: true) }
        #expect(try source.boolean("ON", default: false))
    }

    @Test func databaseURL() throws {
        #expect(try DatabaseLocation.parse("sqlite:///var/auth.db") == .sqlite(path: "var/auth.db"))
        #expect(try DatabaseLocation.parse("sqlite:////srv/auth.db") == .sqlite(path: "/srv/auth.db"))
        for bad in ["mysql://x", "sqlite://host/db", "sqlite:///", "sqlite:///dir/", "var/auth.db"] {
            #expect(throws: ConfigError.self) { try DatabaseLocation.parse(bad) }
        }
    }

    @Test func serviceConfiguration() throws {
        let configuration = try ServiceConfiguration.load(from: ConfigSource(environment: ["LOG_LEVEL": "WARNING"]))
        #expect(configuration.logLevel == .warning)
        #expect(configuration.database == .sqlite(path: "var/auth.db"))
        #expect(throws: ConfigError.self) {
            try ServiceConfiguration.load(from: ConfigSource(environment: ["LOG_LEVEL": "loud"]))
        }
    }
}
