/// The OpenAPI 3.1 document of the whole HTTP contract (`shared/spec/api.md`), served at
/// `GET /api/openapi.json` and rendered by the docs page at `/api/docs/`.
///
/// The single source of truth is the data file `openapi.json` beside this one: edit it there.
/// The `EmbedOpenAPIDocument` build-tool plugin turns it into `OpenAPIDocument.json` (a
/// generated extension of this type), so the binary serves it without reading a file. Unit
/// tests parse it and hold it to the router's routes and to the error-code catalogs; the
/// integration tests validate it with openapi-spec-validator and check real responses
/// against its schemas.
enum OpenAPIDocument {}
