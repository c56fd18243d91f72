import UserCore

extension Request {
    /// The body as a JSON object, checked in the contract's order: media type (415), then
    /// syntax (400). Handlers call it after their authentication and permission checks.
    public func jsonObjectBody() throws(APIError) -> JSONObject {
        guard case .bytes(let bytes) = body else { throw APIError.payloadTooLarge }
        guard let contentType else {
            // Contract §5: an empty body without a Content-Type is malformed JSON, not 415.
            if bytes.isEmpty { throw APIError.malformedJSON("The request body is empty; a JSON object is required.") }
            throw APIError.unsupportedMediaType
        }
        guard Self.isJSONMediaType(contentType) else { throw APIError.unsupportedMediaType }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw APIError.malformedJSON(
                "The request body is not valid JSON (\(error.reason) at byte \(error.offset)).")
        }
        guard case .object(let object) = value else {
            throw APIError.malformedJSON("The request body must be a JSON object.")
        }
        return object
    }

    /// `application/json`, in any letter case, with or without parameters such as a charset.
    static func isJSONMediaType(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return mediaType.trimmingASCIIWhitespace().lowercased() == "application/json"
    }
}

extension APIError {
    public static let unsupportedMediaType = APIError(
        .unsupportedMediaType, .unsupportedMediaType, "Send the request body as Content-Type: application/json.")

    public static func malformedJSON(_ detail: String) -> APIError {
        APIError(.badRequest, .malformedJSON, detail)
    }
}
