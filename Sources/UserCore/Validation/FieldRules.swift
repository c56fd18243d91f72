/// The field rules of contract §1, each returning the error for its field or nil.
package enum FieldRules {
    package static let usernameLength = 3...32
    static let passwordLength = 8...128
    static let nameMaximumLength = 64
    static let emailMaximumLength = 254

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

    /// One `@`, a non-empty local part, a domain with a dot, no spaces or control characters,
    /// at most 254 characters.
    package static func email(_ value: String) -> FieldError? {
        let invalid = FieldError(
            field: "email", code: .invalidFormat, message: "Enter an email address like name@example.com.")
        guard value.unicodeScalars.count <= emailMaximumLength,
            !value.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.properties.generalCategory == .control
            })
        else { return invalid }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return invalid }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix(".") else { return invalid }
        return nil
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
