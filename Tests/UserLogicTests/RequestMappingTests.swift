import Testing

@testable import UserLogic

@Suite struct RequestMappingTests {
    @Test func mapsNginxParams() {
        let request = Request(
            cgi: [
                "REQUEST_METHOD": "post", "REQUEST_URI": "/api/users/%37?page=2&q=a+b", "QUERY_STRING": "page=2&q=a+b",
                "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": "Bearer x", "HTTP_USER_AGENT": "curl/8",
                "REMOTE_ADDR": "10.0.0.1", "REQUEST_ID": "0123456789abcdef0123456789abcdef",
            ],
            body: .bytes([1, 2]))
        #expect(request.method == "POST")
        #expect(request.path == "/api/users/7")
        #expect(request.query["page"] == "2")
        #expect(request.query["q"] == "a b")
        #expect(request.contentType == "application/json")
        #expect(request.authorization == "Bearer x")
        #expect(request.userAgent == "curl/8")
        #expect(request.remoteAddress == "10.0.0.1")
        #expect(request.requestID == "0123456789abcdef0123456789abcdef")
        #expect(request.body == .bytes([1, 2]))
    }

    @Test func prefersPathInfoForCGI() {
        let request = Request(
            cgi: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/cgi-bin/auth.cgi/api/health", "PATH_INFO": "/api/health"],
            body: .empty)
        #expect(request.path == "/api/health")
    }

    @Test func keepsAnUndecodablePathRaw() {
        let request = Request(cgi: ["REQUEST_URI": "/api/%zz"], body: .empty)
        #expect(request.path == "/api/%zz")
    }

    @Test func requestIDPrecedence() {
        let valid = "client-id_1.2"
        #expect(Request(cgi: ["HTTP_X_REQUEST_ID": valid, "REQUEST_ID": "nginx"], body: .empty).requestID == valid)
        #expect(
            Request(cgi: ["HTTP_X_REQUEST_ID": "has space", "REQUEST_ID": "nginx"], body: .empty).requestID == "nginx")
        let tooLong = String(repeating: "a", count: 129)
        let generated = Request(cgi: ["HTTP_X_REQUEST_ID": tooLong], body: .empty).requestID
        #expect(generated.count == 32)
        #expect(generated.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(RequestID.isAcceptable(String(repeating: "a", count: 128)))
        #expect(!RequestID.isAcceptable(""))
        #expect(!RequestID.isAcceptable("é"))
    }

    @Test func emptyContentTypeIsAbsent() {
        #expect(Request(cgi: ["CONTENT_TYPE": ""], body: .empty).contentType == nil)
    }
}

@Suite struct QueryParametersTests {
    @Test func decodesPairs() {
        let query = QueryParameters(parsing: "a=1&b=two+words&c&d=%C3%A9&a=2&&e=")
        #expect(query["a"] == "1")
        #expect(query["b"] == "two words")
        #expect(query["c"] == "")
        #expect(query["d"] == "é")
        #expect(query["e"] == "")
        #expect(query["missing"] == nil)
    }

    @Test func dropsUndecodablePieces() {
        let query = QueryParameters(parsing: "bad=%zz&nonutf8=%FF&ok=1")
        #expect(query["bad"] == nil)
        #expect(query["nonutf8"] == nil)
        #expect(query["ok"] == "1")
    }
}

@Suite struct RequestBodyTests {
    /// A stream that hands out `data` in chunks of at most `chunk` bytes and counts reads.
    final class Stream {
        let data: [UInt8]
        let chunk: Int
        var offset = 0
        init(_ count: Int, chunk: Int = 1000) {
            data = [UInt8](repeating: 7, count: count)
            self.chunk = chunk
        }
        func read(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
            let count = min(buffer.count, chunk, data.count - offset)
            for index in 0..<count { buffer[index] = data[offset + index] }
            offset += count
            return count
        }
    }

    @Test func readsUpToTheLimit() {
        let stream = Stream(RequestBody.maximumBytes)
        let body = RequestBody.read(
            declaredLength: "\(RequestBody.maximumBytes)", framing: .streamEnd, readChunk: stream.read)
        #expect(body == .bytes([UInt8](repeating: 7, count: RequestBody.maximumBytes)))
    }

    @Test func refusesOneByteMoreWithoutReadingFurther() {
        let stream = Stream(RequestBody.maximumBytes + 5000)
        #expect(RequestBody.read(declaredLength: nil, framing: .streamEnd, readChunk: stream.read) == .tooLarge)
        #expect(stream.offset == RequestBody.maximumBytes + 1)
    }

    @Test func refusesADeclaredOversizeUnread() {
        let stream = Stream(10)
        #expect(RequestBody.read(declaredLength: "65537", framing: .streamEnd, readChunk: stream.read) == .tooLarge)
        #expect(stream.offset == 0)
        #expect(RequestBody.read(declaredLength: "-1", framing: .streamEnd, readChunk: stream.read) == .tooLarge)
    }

    @Test func anUnderstatedLengthCantSmuggleMore() {
        let stream = Stream(RequestBody.maximumBytes + 1)
        #expect(RequestBody.read(declaredLength: "10", framing: .streamEnd, readChunk: stream.read) == .tooLarge)
    }

    @Test func cgiFramingReadsExactlyTheDeclaredLength() {
        let stream = Stream(100)
        #expect(
            RequestBody.read(declaredLength: "40", framing: .declaredLength, readChunk: stream.read)
                == .bytes([UInt8](repeating: 7, count: 40)))
        #expect(stream.offset == 40)
        let silent = Stream(100)
        #expect(RequestBody.read(declaredLength: nil, framing: .declaredLength, readChunk: silent.read) == .empty)
        #expect(silent.offset == 0)
    }

    @Test func emptyBody() {
        let stream = Stream(0)
        #expect(RequestBody.read(declaredLength: "0", framing: .streamEnd, readChunk: stream.read) == .empty)
    }
}
