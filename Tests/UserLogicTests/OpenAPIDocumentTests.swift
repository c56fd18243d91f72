import Testing

@testable import UserLogic

/// The OpenAPI document parses, is the data file `Sources/UserLogic/OpenAPI/openapi.json`, and
/// its operations are exactly the router's routes.
@Suite struct OpenAPIDocumentTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// The parsed document; fails the test when it isn't a JSON object.
    func document() throws -> JSONObject {
        guard case .object(let document) = try JSONParser.parse(Array(OpenAPIDocument.json.utf8)) else {
            throw Failure(description: "the document is not a JSON object")
        }
        return document
    }

    /// "METHOD /path" for every operation of the document.
    func documentedOperations() throws -> Set<String> {
        guard case .object(let paths)? = try document()["paths"] else {
            throw Failure(description: "the document has no paths object")
        }
        var operations: Set<String> = []
        for (path, item) in paths.members {
            guard case .object(let item) = item else { throw Failure(description: "\(path) is not an object") }
            for name in item.names where Self.methods.contains(name) {
                operations.insert("\(name.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// "METHOD /path" for every route the service's router knows, `{id:int}` written `{id}`.
    func routedOperations() throws -> Set<String> {
        let fixture = try ServiceFixture()
        return Set(
            fixture.service.router.routes.map { route in
                "\(route.method) \(route.pattern.description.replacing(":int}", with: "}"))"
            })
    }

    @Test func parsesAsOpenAPI31() throws {
        let document = try document()
        #expect(document["openapi"] == "3.1.0")
        guard case .object(let info)? = document["info"] else {
            Issue.record("no info object")
            return
        }
        #expect(info["title"] != nil && info["version"] != nil)
    }

    @Test func everyRouteIsDocumented() throws {
        let missing = try routedOperations().subtracting(documentedOperations())
        #expect(missing.isEmpty, "routes without an operation in the document: \(missing.sorted())")
    }

    @Test func everyOperationIsRouted() throws {
        let extra = try documentedOperations().subtracting(routedOperations())
        #expect(extra.isEmpty, "operations the router doesn't know: \(extra.sorted())")
    }

    /// The embedded document is the data file in the source tree, byte for byte (without the
    /// file's final newline): the build-tool plugin ran on the current file.
    @Test func embeddedDocumentIsTheDataFile() throws {
        let root = #filePath.prefix(upTo: try #require(#filePath.firstRange(of: "/Tests/UserLogicTests/")).lowerBound)
        let file = try #require(FileSystem.readFile(root + "/Sources/UserLogic/OpenAPI/openapi.json"))
        #expect(file.hasSuffix("}\n"))
        #expect(Array(OpenAPIDocument.json.utf8) == Array(file.utf8.dropLast()))
    }

    @Test func documentIsServedAsJSON() throws {
        let fixture = try ServiceFixture()
        let response = fixture.call("GET", "/api/openapi.json")
        #expect(response.status == .ok)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.body == Array(OpenAPIDocument.json.utf8))
        let head = fixture.call("HEAD", "/api/openapi.json")
        #expect(head.status == .ok)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == String(OpenAPIDocument.json.utf8.count))
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
