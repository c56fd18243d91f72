import Glibc
import Testing

@testable import UserCore

/// `JSONOutput` writes what `JSONWriter` writes for the same value, and the users page's
/// direct path writes exactly the bytes of the user objects other responses nest.
@Suite struct JSONOutputTests {
    func text(_ write: (inout JSONOutput) -> Void) -> String {
        var output = JSONOutput()
        write(&output)
        return String(decoding: output.bytes, as: UTF8.self)
    }

    static let user = User(
        id: 42, username: "ann", email: "ann@example.com", passwordHash: "$y$secret", firstName: "Ånn \"A\"",
        lastName: nil, role: .admin, active: true, createdAt: 1_700_000_000, updatedAt: 1_700_000_001,
        lastLoginAt: nil, failedLogins: 3, lockedUntil: 1_800_000_000, emailVerified: true, mfaEnabled: false)

    @Test func writesTheUserObjectOfTheContract() {
        #expect(
            text { Self.user.write(forAdmin: true, to: &$0) }
                == #"{"id":42,"username":"ann","email":"ann@example.com","first_name":"Ånn \"A\"","last_name":null,"#
                + #""role":"ADMIN","active":true,"email_verified":true,"mfa_enabled":false,"#
                + #""created_at":"2023-11-14T22:13:20Z","#
                + #""updated_at":"2023-11-14T22:13:21Z","last_login_at":null,"locked_until":"2027-01-15T08:00:00Z"}"#)
    }

    @Test(arguments: [true, false]) func directAndTreeUsersAreTheSameBytes(forAdmin: Bool) {
        let names: [String?] = [nil, "", "plain", "Zoë", "tab\there", "\u{85}\u{2028}\u{7F}", "\\\"/", "😀"]
        for (index, name) in names.enumerated() {
            var user = Self.user
            user.id = [0, 1, 9_007_199_254_740_993, Int64.max][index % 4]
            user.username = name ?? "x"
            user.firstName = name
            user.lastName = names[names.count - 1 - index]
            user.active = index % 2 == 0
            user.emailVerified = index % 3 == 1
            user.role = index % 3 == 0 ? .user : .admin
            user.lastLoginAt = index % 2 == 0 ? nil : Int64(index) * 86_399
            user.lockedUntil = index % 3 == 0 ? nil : Timestamp.latest + Int64(index)
            let direct = text { user.write(forAdmin: forAdmin, to: &$0) }
            #expect(direct == String(decoding: JSONWriter.encode(user.json(forAdmin: forAdmin)), as: UTF8.self))
        }
    }

    @Test func placesCommasInNestedStructures() {
        #expect(
            text {
                $0.beginObject()
                $0.key("a")
                $0.beginArray()
                $0.beginObject()
                $0.endObject()
                $0.beginArray()
                $0.endArray()
                $0.integer(1)
                $0.endArray()
                $0.member("b", "x")
                $0.endObject()
            } == #"{"a":[{},[],1],"b":"x"}"#)
    }

    @Test func integersPrintLikeTheirDoubles() {
        let values: [Int64] = [
            0, 7, -7, 10, 100, 1_234_567_890, 9_007_199_254_740_992, -9_007_199_254_740_992, 9_007_199_254_740_993,
            -9_007_199_254_740_993, .max, .min,
        ]
        for value in values {
            #expect(text { $0.integer(value) } == text { $0.number(Double(value)) }, "\(value)")
        }
        #expect(text { $0.integer(-120) } == "-120")
    }
}

@Suite struct TimestampFormatTests {
    /// The formatting before the direct writer (through gmtime_r), the reference.
    func reference(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(parts.tm_year + 1900, 4))-\(digits(parts.tm_mon + 1, 2))-\(digits(parts.tm_mday, 2))T"
            + "\(digits(parts.tm_hour, 2)):\(digits(parts.tm_min, 2)):\(digits(parts.tm_sec, 2))Z"
    }

    @Test func matchesGmtimeOverTheWholeRange() {
        let edges: [Int64] = [
            0, -1, 59, 86_399, 86_400, 951_782_399, 951_782_400, 951_868_800, 4_107_542_400, 4_107_542_399,
            1_700_000_000, Timestamp.earliest, Timestamp.earliest + 1, Timestamp.latest, Timestamp.latest - 1,
            -2_208_988_800, -62_135_596_800,
        ]
        var generator = SystemRandomNumberGenerator()
        let range = Timestamp.earliest...Timestamp.latest
        let random = (0..<20_000).map { _ in Int64.random(in: range, using: &generator) }
        for seconds in edges + random {
            #expect(Timestamp.rfc3339(seconds) == reference(seconds), "\(seconds)")
        }
        #expect(Timestamp.rfc3339(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.rfc3339(951_782_400) == "2000-02-29T00:00:00Z")
    }

    @Test func clampsToFourDigitYears() {
        #expect(Timestamp.rfc3339(Timestamp.latest + 1) == "9999-12-31T23:59:59Z")
        #expect(Timestamp.rfc3339(.max) == "9999-12-31T23:59:59Z")
        #expect(Timestamp.rfc3339(Timestamp.earliest - 1) == "0000-01-01T00:00:00Z")
        #expect(Timestamp.rfc3339(.min) == "0000-01-01T00:00:00Z")
    }
}
