import Testing

@testable import UserCore

@Suite struct JSONParserTests {
    func parse(_ text: String) -> JSONValue? { try? JSONParser.parse(Array(text.utf8)) }

    @Test func parsesValues() {
        #expect(
            parse(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00", "c": {}} "#)
                == .object([
                    "a": .array([1, .number(-2500), true, false, nil]), "b": "x\"\\/\né😀", "c": .object([:]),
                ]))
        #expect(parse("0") == .number(0))
        #expect(parse("\"\"") == .string(""))
    }

    @Test func refusesInvalidDocuments() {
        let invalid = [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "+1", "-", "1e", "tru", "nul", "NaN",
            "\"\u{01}\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "{a:1}", "{\"a\" 1}",
            "[1 2]", "\"abc", "1 2", "{\"a\":1}x", "'a'",
        ]
        for text in invalid {
            #expect(parse(text) == nil, "\(text) should be refused")
        }
    }

    @Test func refusesDuplicateNames() {
        #expect(parse(#"{"a":1,"a":1}"#) == nil)
        #expect(parse(#"{"a":{"b":1},"b":1}"#) != nil)
    }

    @Test func refusesInvalidUTF8() {
        #expect((try? JSONParser.parse([0x22, 0xFF, 0x22])) == nil)
        #expect((try? JSONParser.parse([0x22, 0xC3, 0xA9, 0x22])) == .string("é"))
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(parse(deep) == nil)
        let allowed =
            String(repeating: "[", count: JSONParser.maximumDepth)
            + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(parse(allowed) != nil)
    }

    /// `{"m0":0,"m1":0,…}` with `count` members.
    func object(members count: Int, prefix: String = "m") -> String {
        "{" + (0..<count).map { "\"\(prefix)\($0)\":0" }.joined(separator: ",") + "}"
    }

    @Test func boundsMembers() throws {
        #expect(parse(object(members: 100)) != nil)
        #expect(parse(object(members: 101)) == nil)
        #expect(parse(object(members: 101, prefix: "é")) == nil)
        #expect(parse("[" + object(members: 101) + "]") == nil)
        #expect(parse(#"{"a":"# + object(members: 101) + "}") == nil)
        try JSONParser.forEachMember(in: Array(object(members: 100).utf8)) { _, _ in }
        #expect(throws: JSONParser.SyntaxError.self) {
            try JSONParser.forEachMember(in: Array(object(members: 101).utf8)) { _, _ in }
        }
    }

    @Test func boundsNestingAtTheLimit() {
        func nested(_ depth: Int) -> String {
            String(repeating: #"{"a":"#, count: depth - 1) + "[]" + String(repeating: "}", count: depth - 1)
        }
        #expect(JSONParser.maximumDepth == 64)
        #expect(parse(nested(64)) != nil)
        #expect(parse(nested(65)) == nil)
    }

    @Test func duplicatesAreFoundAmongManyMembers() {
        // 100 members, the last repeating the first.
        let members = (0..<99).map { "\"é\($0)\":0" } + [#""é0":1"#]
        #expect(parse("{" + members.joined(separator: ",") + "}") == nil)
        // Canonically equivalent names are duplicates: "é" precomposed and decomposed.
        #expect(parse(#"{"\u00e9":1,"e\u0301":2}"#) == nil)
    }

    @Test func integersAreExact() {
        #expect(parse("1800000900") == .number(1_800_000_900))
        #expect(parse("-999999999999999") == .number(-999_999_999_999_999))
        #expect(parse("9007199254740993") == .number(9_007_199_254_740_992))  // 16 digits: rounded as strtod does
        guard case .number(let zero)? = parse("-0") else {
            Issue.record("-0 not parsed")
            return
        }
        #expect(zero == 0 && zero.sign == .minus)
    }

    @Test func readsMembersOneByOne() throws {
        var members: [String] = []
        try JSONParser.forEachMember(in: Array(#" {"a": 1, "\u0062": [2, {"c": 3}], "é": "x"} "#.utf8)) {
            members.append(
                String(decoding: $0, as: UTF8.self) + "=" + String(decoding: JSONWriter.encode($1), as: UTF8.self))
        }
        #expect(members == ["a=1", #"b=[2,{"c":3}]"#, #"é="x""#])
        try JSONParser.forEachMember(in: Array("{}".utf8)) { _, _ in Issue.record("no members expected") }
        for text in [#"{"a":1,"a":2}"#, #"{"a":1,"\u0061":2}"#, "[]", "1", #"{"a":1} x"#, #"{"a":1,}"#, "{"] {
            #expect(throws: JSONParser.SyntaxError.self, "\(text)") {
                try JSONParser.forEachMember(in: Array(text.utf8)) { _, _ in }
            }
        }
    }

    @Test func hugeNumbersDoNotCrash() {
        #expect(parse("1e400") == .number(.infinity))
        #expect(parse(String(repeating: "9", count: 5000)) != nil)
    }
}

@Suite struct JSONWriterTests {
    func text(_ value: JSONValue) -> String { String(decoding: JSONWriter.encode(value), as: UTF8.self) }

    @Test func writesCompactJSON() {
        #expect(text(.object(["a": 1, "b": [true, nil], "c": "x"])) == #"{"a":1,"b":[true,null],"c":"x"}"#)
        #expect(text(.number(2.5)) == "2.5")
        #expect(text(.number(-0.0)) == "0")
        #expect(text(.number(.nan)) == "null")
    }

    @Test func escapesControlCharacters() {
        #expect(text("a\"b\\c\nd\te\u{01}\u{7F}\u{85}\u{2028}é") == #""a\"b\\c\nd\te\u0001\u007f\u0085\u2028é""#)
    }

    @Test func roundTrips() throws {
        let value: JSONValue = .object(["name": "ünïcödé \u{0}", "list": [1, 2, .object(["x": nil])]])
        #expect(try JSONParser.parse(JSONWriter.encode(value)) == value)
    }
}
