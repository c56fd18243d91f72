/// The field rules of contract §1, each returning the error for its field or nil.
package enum FieldRules {
    package static let usernameLength = 3...32
    static let passwordLength = 8...128
    static let nameMaximumLength = 64
    static let emailMaximumLength = 254
    static let emailLocalMaximumLength = 64

    package static func username(_ value: String) -> FieldError? {
        let field = "username"
        if value.utf8.count < usernameLength.lowerBound, value.utf8.allSatisfy(isUsernameByte) {
            return FieldError(
                field: field, code: .tooShort, message: "Use at least \(usernameLength.lowerBound) characters.")
        }
        if value.unicodeScalars.count > usernameLength.upperBound {
            return FieldError(
                field: field, code: .tooLong, message: "Use at most \(usernameLength.upperBound) characters.")
        }
        guard let first = value.utf8.first, isLetterOrDigit(first), value.utf8.allSatisfy(isUsernameByte) else {
            return FieldError(
                field: field, code: .invalidFormat,
                message: "Use letters, digits, '_', '.' and '-', starting with a letter or digit.")
        }
        return nil
    }

    /// Contract §1 (v2): at most 254 characters, `local@domain`. The local part is an RFC 5322
    /// dot-atom (1–64 `atext` characters and single inner dots); the domain is two or more
    /// dot-separated labels of letters and combining marks of any script, digits and inner
    /// hyphens. So nothing that an SMTP command or a `To:` header could read as more than one
    /// address (commas, angle brackets, quotes, spaces, control characters) gets through.
    package static func email(_ value: String) -> FieldError? {
        let invalid = FieldError(
            field: "email", code: .invalidFormat, message: "Enter an email address like name@example.com.")
        let scalars = value.unicodeScalars
        guard scalars.count <= emailMaximumLength,
            let at = scalars.firstIndex(of: "@"),
            isDotAtom(scalars[..<at]),
            isDomain(scalars[scalars.index(after: at)...])
        else { return invalid }
        return nil
    }

    /// RFC 5322 `dot-atom-text` of at most 64 characters.
    private static func isDotAtom(_ local: Substring.UnicodeScalarView) -> Bool {
        guard local.count <= emailLocalMaximumLength else { return false }
        return dotSeparated(local) { atom in !atom.isEmpty && atom.allSatisfy(isAtext) } >= 1
    }

    /// Two or more labels; each non-empty, of letters, combining marks and digits, with hyphens
    /// only inside.
    private static func isDomain(_ domain: Substring.UnicodeScalarView) -> Bool {
        dotSeparated(domain) { label in
            guard let first = label.first, let last = label.last, first != "-", last != "-" else { return false }
            return label.allSatisfy { $0 == "-" || isLabelCharacter($0) }
        } >= 2
    }

    /// The number of `.`-separated parts of `text` when every part passes `isValid`, else 0.
    private static func dotSeparated(
        _ text: Substring.UnicodeScalarView, _ isValid: (Substring.UnicodeScalarView) -> Bool
    ) -> Int {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy(isValid) ? parts.count : 0
    }

    /// RFC 5322 `atext`: ASCII letters, digits and ``!#$%&'*+/=?^_`{|}~-``.
    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return false }
        let byte = UInt8(scalar.value)
        return isLetterOrDigit(byte) || "!#$%&'*+/=?^_`{|}~-".utf8.contains(byte)
    }

    /// A letter or combining mark of any script, or an ASCII digit.
    private static func isLabelCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark:
            true
        default:
            scalar.isASCII && isLetterOrDigit(UInt8(scalar.value))
        }
    }

    /// Length in Unicode scalars (contract §5), and not the username or email.
    package static func password(_ value: String, field: String, username: String?, email: String?) -> FieldError? {
        let length = value.unicodeScalars.count
        if length < passwordLength.lowerBound {
            return FieldError(
                field: field, code: .tooShort, message: "Use at least \(passwordLength.lowerBound) characters.")
        }
        if length > passwordLength.upperBound {
            return FieldError(
                field: field, code: .tooLong, message: "Use at most \(passwordLength.upperBound) characters.")
        }
        let lowered = value.lowercased()
        if let username, lowered == username.lowercased() {
            return FieldError(field: field, code: .tooSimilar, message: "The password must differ from the username.")
        }
        if let email, lowered == email.lowercased() {
            return FieldError(
                field: field, code: .tooSimilar, message: "The password must differ from the email address.")
        }
        return nil
    }

    /// `first_name` / `last_name`: at most 64 characters, no control characters (category Cc).
    package static func name(_ value: String, field: String) -> FieldError? {
        if value.unicodeScalars.count > nameMaximumLength {
            return FieldError(field: field, code: .tooLong, message: "Use at most \(nameMaximumLength) characters.")
        }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return FieldError(field: field, code: .invalidFormat, message: "Control characters are not allowed.")
        }
        return nil
    }

    /// Emails are stored lower-cased (contract §1).
    package static func normalizedEmail(_ value: String) -> String {
        value.lowercased()
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isUsernameByte(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }
}
