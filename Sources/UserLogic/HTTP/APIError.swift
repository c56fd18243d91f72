import UserCore

/// The one error type the service renders: a status, a stable code, a sentence for people,
/// field errors for `validation_failed`, and headers such as `Allow` or `Retry-After`.
///
/// Anything else thrown by a handler becomes a 500 whose body says nothing internal.
public struct APIError: Error, Sendable {
    public var status: HTTPStatus
    public var code: ErrorCode
    public var detail: String
    public var fieldErrors: [FieldError]
    public var headers: [(name: String, value: String)]
    /// Members after the standard ones, e.g. `mfa_token` and `methods` of `mfa_required`.
    public var members = JSONObject()

    public init(
        _ status: HTTPStatus,
        _ code: ErrorCode,
        _ detail: String,
        fieldErrors: [FieldError] = [],
        headers: [(name: String, value: String)] = []
    ) {
        self.status = status
        self.code = code
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
    }

    /// The RFC 9457 problem+json response for this error.
    public var response: Response {
        var problem: JSONObject = [
            "type": "about:blank",
            "title": .string(status.reasonPhrase),
            "status": .number(Double(status.code)),
            "code": .string(code.rawValue),
            "detail": .string(detail),
        ]
        if code == .validationFailed {
            problem.append("errors", .array(fieldErrors.map(\.json)))
        }
        for member in members.members { problem.append(member.name, member.value) }
        return Response(
            status: status,
            headers: [("Content-Type", "application/problem+json")] + headers,
            body: JSONWriter.encode(.object(problem))
        )
    }
}

extension FieldError {
    /// This error as an entry of the problem's `errors[]`.
    var json: JSONValue {
        .object(["field": .string(field), "code": .string(code.rawValue), "message": .string(message)])
    }
}

extension APIError {
    public static func notFound(_ detail: String = "No resource exists at this path.") -> APIError {
        APIError(.notFound, .notFound, detail)
    }

    public static func methodNotAllowed(allowed: [String]) -> APIError {
        APIError(
            .methodNotAllowed, .methodNotAllowed, "This path does not accept this method.",
            headers: [("Allow", allowed.joined(separator: ", "))])
    }

    public static let payloadTooLarge = APIError(
        .contentTooLarge, .payloadTooLarge, "The request body is larger than \(RequestBody.maximumBytes) bytes.")

    public static let unexpected = APIError(
        .internalServerError, .internalError, "The server could not complete the request. It has been logged.")

    /// The same error with `members` added to its problem object.
    func with(members: JSONObject) -> APIError {
        var error = self
        for member in members.members { error.members.append(member.name, member.value) }
        return error
    }

    public static func validationFailed(_ errors: [FieldError]) -> APIError {
        APIError(.unprocessableContent, .validationFailed, "Some fields are invalid.", fieldErrors: errors)
    }
}
