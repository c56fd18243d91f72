import PackagePlugin

/// Embeds `OpenAPI/openapi.json` of the target it is applied to as `OpenAPIDocument.json`, a
/// string constant generated at build time by `TextEmbedder`: the JSON file stays the one
/// source that tools and linters read, and the binary needs no file beside it at run time.
///
/// The target excludes the JSON file from its sources (SwiftPM would warn about an unhandled
/// file); the plugin names it by path and declares it as the command's input, so editing it
/// regenerates the Swift source.
@main struct EmbedOpenAPIDocument: BuildToolPlugin {
    struct NotASwiftTarget: Error, CustomStringConvertible {
        let name: String
        var description: String { "EmbedOpenAPIDocument applies to Swift targets only, not to \(name)" }
    }

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        // `Target.directoryURL` needs tools version 6.1; the Swift target's is there in 6.0.
        guard let target = target as? SwiftSourceModuleTarget else { throw NotASwiftTarget(name: target.name) }
        let input = target.directoryURL.appending(path: "OpenAPI/openapi.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument+JSON.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(input.lastPathComponent) in \(target.name)",
                executable: try context.tool(named: "TextEmbedder").url,
                // Not percent-encoded: a checkout path with a space must stay a real path.
                arguments: [
                    input.path(percentEncoded: false), output.path(percentEncoded: false), "OpenAPIDocument", "json",
                ],
                inputFiles: [input],
                outputFiles: [output])
        ]
    }
}
