import Testing

@testable import UserCore
@testable import UserLogic

@Suite struct FieldRulesTests {
    @Test func usernames() {
        #expect(FieldRules.username("alice") == nil)
        #expect(FieldRules.username("a.b-c_9") == nil)
        #expect(FieldRules.username("9lives") == nil)
        #expect(FieldRules.username(String(repeating: "a", count: 32)) == nil)
        #expect(FieldRules.username("ab")?.code == .tooShort)
        #expect(FieldRules.username("")?.code == .tooShort)
        #expect(FieldRules.username(String(repeating: "a", count: 33))?.code == .tooLong)
        #expect(FieldRules.username("_alice")?.code == .invalidFormat)
        #expect(FieldRules.username(".alice")?.code == .invalidFormat)
        #expect(FieldRules.username("al ice")?.code == .invalidFormat)
        #expect(FieldRules.username("ålice")?.code == .invalidFormat)
        #expect(FieldRules.username("a'; DROP TABLE users;--")?.code == .invalidFormat)
    }

    @Test func emails() {
        #expect(FieldRules.email("alice@example.com") == nil)
        #expect(FieldRules.email("A.Li+ce@sub.example.co") == nil)
        for bad in [
            "", "alice", "alice@", "@example.com", "alice@example", "a@b@c.com", "al ice@example.com",
            "alice@.com", "alice@com.", "alice@exa\u{0}mple.com", "alice@example.com\n",
        ] {
            #expect(FieldRules.email(bad)?.code == .invalidFormat, "\(bad)")
        }
        let domain = String(repeating: "d", count: 254 - "alice@".count - ".com".count) + ".com"
        #expect(FieldRules.email("alice@" + domain) == nil)
        #expect(FieldRules.email("alicex@" + domain)?.code == .invalidFormat)
    }

    /// Contract §1 (v2): the local part is an RFC 5322 dot-atom of 1–64 characters.
    @Test func emailLocalPartIsADotAtom() {
        let atext = "!#$%&'*+/=?^_{}~-`|"
        #expect(FieldRules.email("a\(atext)z@example.com") == nil)
        #expect(FieldRules.email("first.last.x@example.com") == nil)
        #expect(FieldRules.email(String(repeating: "a", count: 64) + "@example.com") == nil)
        for bad in [
            "eve,victim@evil.com", "<x>@evil.com", "a>b@evil.com", "a<b@evil.com", "\"a\"@evil.com",
            "a\"b@evil.com", "a b@evil.com", "a\tb@evil.com", "(a)@evil.com", "a;b@evil.com", "a:b@evil.com",
            "a\\b@evil.com", "[a]@evil.com", ".a@example.com", "a.@example.com", "a..b@example.com",
            "é@example.com", "a\u{7F}b@example.com", String(repeating: "a", count: 65) + "@example.com",
        ] {
            #expect(FieldRules.email(bad)?.code == .invalidFormat, "\(bad)")
        }
    }

    /// Contract §1 (v2): the domain is two or more labels of letters and combining marks of any
    /// script, digits and inner hyphens.
    @Test func emailDomainIsLabelsOfLettersMarksDigitsAndInnerHyphens() {
        for good in [
            "a@mail-1.example.com", "a@b.co", "a@bücher.de", "a@пример.рф", "a@e\u{301}cole.fr", "a@例え.テスト",
            "a@123.example",
        ] {
            #expect(FieldRules.email(good) == nil, "\(good)")
        }
        for bad in [
            "a@evil.com>", "a@evil.com,b@x.org", "a@-evil.com", "a@evil-.com", "a@evil..com", "a@evil_x.com",
            "a@[127.0.0.1]", "a@evil.com ", "a@ev il.com", "a@evil.c\u{200B}om", "a@evil.com\u{0}",
        ] {
            #expect(FieldRules.email(bad)?.code == .invalidFormat, "\(bad)")
        }
    }

    @Test func passwordsCountUnicodeScalars() {
        #expect(FieldRules.password("12345678", field: "password", username: nil, email: nil) == nil)
        #expect(FieldRules.password("1234567", field: "password", username: nil, email: nil)?.code == .tooShort)
        #expect(
            FieldRules.password(String(repeating: "x", count: 128), field: "password", username: nil, email: nil) == nil
        )
        #expect(
            FieldRules.password(String(repeating: "x", count: 129), field: "password", username: nil, email: nil)?.code
                == .tooLong)
        // Four flags are 8 scalars but 4 characters: long enough.
        #expect(FieldRules.password("🇩🇪🇫🇷🇮🇹🇪🇸", field: "password", username: nil, email: nil) == nil)
        // "é" as e + combining accent: 2 scalars each.
        #expect(
            FieldRules.password(String(repeating: "e\u{301}", count: 4), field: "password", username: nil, email: nil)
                == nil)
    }

    @Test func passwordsMustDifferFromUsernameAndEmail() {
        #expect(
            FieldRules.password("AliceAlice", field: "password", username: "alicealice", email: nil)?.code
                == .tooSimilar)
        #expect(
            FieldRules.password("A@Example.com", field: "new_password", username: "x", email: "a@example.com")?.field
                == "new_password")
        #expect(
            FieldRules.password("A@Example.com", field: "password", username: "x", email: "a@example.com")?.code
                == .tooSimilar)
        #expect(FieldRules.password("alicealice1", field: "password", username: "alicealice", email: nil) == nil)
    }

    @Test func names() {
        #expect(FieldRules.name("Zoë", field: "first_name") == nil)
        #expect(FieldRules.name(String(repeating: "n", count: 64), field: "last_name") == nil)
        #expect(FieldRules.name(String(repeating: "n", count: 65), field: "last_name")?.code == .tooLong)
        for control in ["a\tb", "a\nb", "a\u{7F}", "a\u{85}b"] {
            #expect(FieldRules.name(control, field: "first_name")?.code == .invalidFormat)
        }
    }

    @Test func readerCollectsEveryProblem() throws {
        let body = try #require(try? JSONParser.parse(Array(#"{"username": 5, "extra": 1, "first_name": null}"#.utf8)))
        guard case .object(let object) = body else { return }
        var fields = FieldReader(object, allowed: ["username", "email", "first_name"])
        _ = fields.requiredString("username")
        _ = fields.requiredString("email")
        if case .value = fields.nullableString("first_name") { Issue.record("null is not a value") }
        #expect(
            fields.errors.map { "\($0.field):\($0.code)" }.sorted() == [
                "email:required", "extra:unknown_field", "username:invalid_type",
            ])
        #expect(throws: APIError.self) { try fields.finish() }
    }

    @Test func readerReportsEachUnknownMemberOnce() throws {
        let text = "{" + (0..<100).map { "\"é\($0)\":0" }.joined(separator: ",") + "}"
        guard case .object(let object) = try JSONParser.parse(Array(text.utf8)) else {
            Issue.record("not an object")
            return
        }
        var fields = FieldReader(object, allowed: ["email"])
        _ = fields.requiredString("email")
        fields.report("é7", .invalidType, "reported twice")
        #expect(fields.errors.count == 101)
        #expect(fields.errors.filter { $0.field == "é7" }.map(\.code) == [.unknownField])
        #expect(fields.errors.last?.field == "email")
    }
}
