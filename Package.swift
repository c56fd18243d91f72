// swift-tools-version:6.0
import PackageDescription

/// The checkout's commit for `auth-fcgi --version`: the Makefile sets it from git (an
/// environment value, so a new commit re-reads this manifest); empty otherwise.
let buildCommit = Context.environment["AUTH_FCGI_COMMIT"] ?? ""

let package = Package(
    name: "AuthFCGI",
    products: [
        .executable(name: "auth-fcgi", targets: ["AuthFCGI"]),
        .library(name: "UserLogic", targets: ["UserLogic"]),
    ],
    targets: [
        // Debian's libfcgi (libfcgi-dev): only the FCGX_ API of fcgiapp.h.
        .systemLibrary(name: "CFastCGI", path: "Sources/CFastCGI"),
        // prctl and other Linux calls that need a C wrapper.
        .systemLibrary(name: "CPosix", path: "Sources/CPosix"),
        // The git commit of `auth-fcgi --version`, as a C string (see `buildCommit` above).
        .target(
            name: "CBuildInfo", path: "Sources/CBuildInfo",
            cSettings: [.define("AUTH_FCGI_COMMIT", to: "\"\(buildCommit)\"")]),
        // Debian's SQLite (libsqlite3-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // OpenSSL 3 libcrypto (libssl-dev): HMAC, SHA-256, randomness.
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        // libxcrypt (libcrypt-dev): password hashing.
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        // libcurl (libcurl4-openssl-dev): SMTP delivery of mail. Headers only: CLazyLibraries
        // provides the functions.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        // libpq (libpq-dev): the PostgreSQL storage. Headers only, like CCurl.
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres"),
        // libqrencode (libqrencode-dev): the QR code of a TOTP enrolment. Headers only, like CCurl.
        .systemLibrary(name: "CQREncode", path: "Sources/CQREncode"),
        // libpq, libcurl and libqrencode opened with dlopen when first used, not linked: libpq,
        // libcurl and their dependencies cost every process ~3 ms at start, most deployments use
        // neither, and only a TOTP enrolment draws a QR code.
        // DWARF 4: clang's default DWARF 5 stops Debian 12's valgrind (3.19), and with it
        // callgrind profiles of the whole binary.
        .target(
            name: "CLazyLibraries", path: "Sources/CLazyLibraries", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        // The test process initialises libcrypto at load without its atexit cleanup, which
        // would free locks under threads still running at exit (see its header).
        .target(
            name: "COpenSSLSetup", path: "Sources/COpenSSLSetup", cSettings: [.unsafeFlags(["-gdwarf-4"])],
            linkerSettings: [.linkedLibrary("crypto")]),
        // The core: users, accounts, storage, tokens, settings, mail, logging. No HTTP types.
        .target(
            name: "UserCore",
            dependencies: [
                "CSQLite", "CPostgres", "COpenSSL", "CCrypt", "CCurl", "CQREncode", "CLazyLibraries", "CBuildInfo",
            ],
            path: "Sources/UserCore"),
        // The HTTP layer over the core: requests, routing, handlers, the OpenAPI document.
        .target(
            name: "UserLogic",
            dependencies: ["UserCore"],
            path: "Sources/UserLogic",
            exclude: ["OpenAPI/openapi.json"],
            plugins: ["EmbedOpenAPIDocument"]),
        // `auth-fcgi import-users`: reads another app's users into the core's store.
        .target(name: "UserImport", dependencies: ["UserCore"], path: "Sources/UserImport"),
        // The OpenAPI document is the data file Sources/UserLogic/OpenAPI/openapi.json, compiled in
        // as a string constant: no file to ship or find beside the binary.
        .plugin(name: "EmbedOpenAPIDocument", capability: .buildTool(), dependencies: ["TextEmbedder"]),
        .executableTarget(name: "TextEmbedder", path: "Sources/TextEmbedder"),
        .executableTarget(
            name: "AuthFCGI",
            dependencies: ["CFastCGI", "CPosix", "UserCore", "UserLogic", "UserImport"],
            path: "Sources/AuthFCGI"
        ),
        // Backend-only benchmarks (make bench); not part of make test.
        .executableTarget(name: "AuthBench", dependencies: ["UserCore", "UserLogic"], path: "Benchmarks/AuthBench"),
        // The fuzz harnesses: replayed on the kept corpus by the unit tests, fuzzed by AuthFuzz.
        .target(name: "FuzzHarnesses", dependencies: ["UserCore", "UserLogic"], path: "Fuzz/Harnesses"),
        .testTarget(
            name: "UserLogicTests",
            dependencies: ["UserCore", "UserLogic", "UserImport", "FuzzHarnesses", "COpenSSLSetup"],
            path: "Tests/UserLogicTests"),
        // Socket pairs with a web server's end, for the two suites below.
        .target(name: "SocketPairs", path: "Tests/SocketPairs"),
        // libfcgi's behaviour that the server's connection reuse relies on (Sources/CFastCGI/shim.h).
        .testTarget(
            name: "FastCGIShimTests", dependencies: ["CFastCGI", "SocketPairs"], path: "Tests/FastCGIShimTests"),
        // The poller's stop in fixed interleavings (Sources/AuthFCGI/ConnectionPoller.swift).
        .testTarget(
            name: "ConnectionPollerTests", dependencies: ["AuthFCGI", "SocketPairs"],
            path: "Tests/ConnectionPollerTests"),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer driver links only with -sanitize=fuzzer: `make fuzz` sets AUTH_FUZZ=1 and
// builds it alone, in its own build directory. The sanitizers are set here per target, not
// with -Xswiftc, so they stay off the host tool the OpenAPI plugin runs (TextEmbedder).
if Context.environment["AUTH_FUZZ"] == "1" {
    let sanitizers = "-sanitize=fuzzer,address"
    package.targets.append(
        .executableTarget(
            name: "AuthFuzz", dependencies: ["FuzzHarnesses", "UserCore"], path: "Fuzz/AuthFuzz",
            swiftSettings: [.unsafeFlags([sanitizers, "-parse-as-library"])],
            linkerSettings: [.unsafeFlags([sanitizers])]))
    for target in package.targets where ["UserCore", "UserLogic", "FuzzHarnesses"].contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags([sanitizers])]
    }
}
