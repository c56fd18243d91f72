import UserCore

extension Request {
    /// The address of a body that holds only `email` (forgot-password, resend verification),
    /// checked and lower-cased: 422 when it is missing or malformed. The same work for every
    /// address, known or not.
    func requestedAddress() throws -> String {
        var fields = FieldReader(try jsonObjectBody(), allowed: ["email"])
        let email = fields.requiredString("email")
        if let email { fields.report(FieldRules.email(email)) }
        try fields.finish()
        guard let email else { throw APIError.validationFailed(fields.errors) }
        return FieldRules.normalizedEmail(email)
    }
}
