import UserCore

extension Response {
    /// `{"user": {…}}`, the answer of every endpoint that returns one user (whoami on every
    /// authenticated page load among them), written straight to bytes.
    static func user(_ user: User, forAdmin: Bool, status: HTTPStatus = .ok) -> Response {
        var output = JSONOutput(capacity: 512)
        output.beginObject()
        output.key("user")
        user.write(forAdmin: forAdmin, to: &output)
        output.endObject()
        return .json(output, status: status)
    }
}
