import Testing

@testable import UserCore
@testable import UserLogic

/// The OpenAPI document parses, is the data file `Sources/UserLogic/OpenAPI/openapi.json`, its
/// operations are exactly the router's routes, and the problem codes it names are exactly the
/// `ErrorCode` and `FieldErrorCode` catalogs.
@Suite struct OpenAPIDocumentTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// The repository's root directory, found from this file's path.
    static let repository = String(#filePath.split(separator: "/Tests/UserLogicTests/")[0])

    /// One operation of the document: its method (upper case), path template, `operationId`,
    /// the names of the security schemes it accepts (none for a public operation) and its
    /// `x-access` (who may call it: a `RouteAccess` raw value).
    struct Operation: Equatable {
        let method: String
        let path: String
        let operationID: String?
        let securitySchemes: [String]
        let access: String?
    }

    /// The parsed document; fails the test when it isn't a JSON object.
    func document() throws -> JSONObject {
        guard case .object(let document) = try JSONParser.parse(Array(OpenAPIDocument.json.utf8)) else {
            throw Failure(description: "the document is not a JSON object")
        }
        return document
    }

    /// Every operation of the document, in its order.
    func operations() throws -> [Operation] {
        guard case .object(let paths)? = try document()["paths"] else {
            throw Failure(description: "the document has no paths object")
        }
        var operations: [Operation] = []
        for (path, item) in paths.members {
            guard case .object(let item) = item else { throw Failure(description: "\(path) is not an object") }
            for (name, operation) in item.members where Self.methods.contains(name) {
                guard case .object(let operation) = operation else {
                    throw Failure(description: "\(name) \(path) is not an object")
                }
                var schemes: [String] = []
                if case .array(let requirements)? = operation["security"] {
                    for case .object(let requirement) in requirements { schemes += requirement.names }
                }
                var operationID: String?
                if case .string(let id)? = operation["operationId"] { operationID = id }
                var access: String?
                if case .string(let level)? = operation["x-access"] { access = level }
                operations.append(
                    Operation(
                        method: name.uppercased(), path: path, operationID: operationID, securitySchemes: schemes,
                        access: access))
            }
        }
        return operations
    }

    /// "METHOD /path" for every operation of the document.
    func documentedOperations() throws -> Set<String> {
        Set(try operations().map { "\($0.method) \($0.path)" })
    }

    /// "METHOD /path" for every route the service's router knows, `{id:int}` written `{id}`.
    func routedOperations() throws -> Set<String> {
        let fixture = try ServiceFixture(.sqlite)
        return Set(
            fixture.service.router.routes.map { route in
                "\(route.method) \(route.pattern.template)"
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

    @Test func operationsHaveUniqueIDs() throws {
        let ids = try operations().compactMap(\.operationID)
        #expect(ids.count == (try operations().count), "operations without an operationId")
        #expect(Set(ids).count == ids.count, "an operationId used twice: \(ids.sorted())")
    }

    /// The route table is the truth: each route's operation in the document has the route's
    /// `operationId`, its `x-access`, and the security scheme that access level needs.
    @Test func everyOperationStatesItsRoutesIDAndAccess() throws {
        let documented = Dictionary(try operations().map { ("\($0.method) \($0.path)", $0) }) { first, _ in first }
        for route in try ServiceFixture(.sqlite).service.router.routes {
            let key = "\(route.method) \(route.pattern.template)"
            guard let operation = documented[key] else {
                Issue.record("\(key) is not documented")
                continue
            }
            let schemes: [String] =
                switch route.access {
                case .anyone: []
                case .refreshToken: ["refreshToken"]
                case .user, .admin: ["accessToken"]
                }
            #expect(operation.operationID == route.operationID, "\(key)")
            #expect(operation.access == route.access.rawValue, "\(key)")
            #expect(operation.securitySchemes == schemes, "\(key)")
        }
    }

    /// The codes of the problem `code` enums (and consts) of every response, and the codes
    /// of their examples: each is a catalogued `ErrorCode`, and every catalogued code is named.
    @Test func problemCodesAreTheErrorCodeCatalog() throws {
        let document = try document()
        var named: Set<String> = []
        var examples: Set<String> = []
        collectProblemCodes(.object(document), into: &named, examples: &examples)
        let catalog = Set(ErrorCode.allCases.map(\.rawValue))
        #expect(named.subtracting(catalog).isEmpty, "codes not in ErrorCode: \(named.subtracting(catalog).sorted())")
        #expect(
            catalog.subtracting(named).isEmpty, "codes the document never names: \(catalog.subtracting(named).sorted())"
        )
        #expect(
            examples.subtracting(catalog).isEmpty,
            "examples with codes not in ErrorCode: \(examples.subtracting(catalog).sorted())")
    }

    @Test func fieldErrorCodesAreTheFieldErrorCodeCatalog() throws {
        guard case .object(let components)? = try document()["components"],
            case .object(let schemas)? = components["schemas"],
            case .object(let fieldError)? = schemas["FieldError"],
            case .object(let properties)? = fieldError["properties"],
            case .object(let code)? = properties["code"],
            case .array(let values)? = code["enum"]
        else { throw Failure(description: "no components.schemas.FieldError.properties.code.enum") }
        #expect(values == FieldErrorCode.allCases.map { .string($0.rawValue) })
    }

    /// The codes nginx answers with are catalogued, and those only nginx sends are in its config.
    @Test func nginxCodesAreCatalogued() throws {
        var nginxCodes: Set<String> = []
        for file in ["api-locations.conf", "docs-locations.conf"] {
            let text = try #require(FileSystem.readFile(Self.repository + "/conf/nginx/auth-fcgi/" + file), "\(file)")
            for part in text.split(separator: #""code":""#).dropFirst() {
                nginxCodes.insert(String(part.prefix { $0 != "\"" }))
            }
        }
        #expect(nginxCodes.subtracting(ErrorCode.allCases.map(\.rawValue)).isEmpty, "\(nginxCodes.sorted())")
        #expect(Set(ErrorCode.answeredByNginxOnly.map(\.rawValue)).isSubset(of: nginxCodes), "\(nginxCodes.sorted())")
    }

    /// The embedded document is the data file in the source tree, byte for byte (without the
    /// file's final newline): the build-tool plugin ran on the current file.
    @Test func embeddedDocumentIsTheDataFile() throws {
        let file = try #require(FileSystem.readFile(Self.repository + "/Sources/UserLogic/OpenAPI/openapi.json"))
        #expect(file.hasSuffix("}\n"))
        #expect(Array(OpenAPIDocument.json.utf8) == Array(file.utf8.dropLast()))
    }

    @Test func documentIsServedAsJSON() throws {
        let fixture = try ServiceFixture(.sqlite)
        let response = fixture.call("GET", "/api/openapi.json")
        #expect(response.status == .ok)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.body == Array(OpenAPIDocument.json.utf8))
        let head = fixture.call("HEAD", "/api/openapi.json")
        #expect(head.status == .ok)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == String(OpenAPIDocument.json.utf8.count))
    }

    /// Walks the document: the `enum`/`const` of a `code` property of a problem schema goes to
    /// `named`, the `code` of an example problem (an object with `status` and `code`) to
    /// `examples`. `FieldError`'s `code` is the other catalog's and is skipped.
    func collectProblemCodes(_ value: JSONValue, into named: inout Set<String>, examples: inout Set<String>) {
        switch value {
        case .array(let items):
            for item in items { collectProblemCodes(item, into: &named, examples: &examples) }
        case .object(let object):
            if case .string(let code)? = object["code"], object["status"] != nil { examples.insert(code) }
            if case .object(let properties)? = object["properties"], properties["field"] == nil,
                case .object(let code)? = properties["code"]
            {
                if case .array(let values)? = code["enum"] {
                    for case .string(let value) in values { named.insert(value) }
                }
                if case .string(let value)? = code["const"] { named.insert(value) }
                if case .array(let values)? = code["examples"] {
                    for case .string(let value) in values { examples.insert(value) }
                }
            }
            for (_, member) in object.members { collectProblemCodes(member, into: &named, examples: &examples) }
        default:
            break
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
