import UserCore

/// `GET /api/auth/verify`: the token check nginx's `auth_request` calls before it lets a
/// request through to another application (contract §3, "Token check for nginx
/// `auth_request`"; `conf/nginx/auth-fcgi/protect.conf`).
///
/// The route's access is `.user`, so the service has already checked the token exactly as
/// for whoami (the same 401 and 403 answers, the same single store read): this handler only
/// reads `role` and writes the caller's identity into headers.
struct VerifyHandler: Sendable {
    /// 204, no body, the caller as `X-Auth-*` headers. `?role=ADMIN` also needs an ADMIN
    /// (403 `forbidden` otherwise); `?role=USER` accepts both roles.
    ///
    /// `X-Auth-Username` is the username percent-encoded as UTF-8 (RFC 3986 unreserved
    /// characters kept): a username that meets the field rules is sent unchanged, and one
    /// from elsewhere (a row written by hand or by an older import) still makes a valid
    /// header value, which the application decodes like a URL component.
    func verify(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        if let wanted = context.request.query["role"] {
            guard let role = Role(rawValue: wanted) else {
                throw APIError.validationFailed([
                    FieldError(field: "role", code: .invalidValue, message: "Use USER or ADMIN.")
                ])
            }
            guard role == .user || caller.isAdmin else { throw APIError.adminOnly }
        }
        return Response(
            status: .noContent,
            headers: [
                ("X-Auth-User-Id", String(caller.user.id)),
                ("X-Auth-Username", PercentEncoding.encode(caller.user.username)),
                ("X-Auth-Role", caller.user.role.rawValue),
                ("X-Auth-Session-Id", caller.claims.sessionID),
                ("X-Auth-Amr", caller.authenticationMethods.joined(separator: ",")),
            ])
    }
}
