// swift-tools-version:6.0
import PackageDescription

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
        // Debian's SQLite (libsqlite3-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // OpenSSL 3 libcrypto (libssl-dev): HMAC, SHA-256, randomness.
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        // libxcrypt (libcrypt-dev): password hashing.
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        // libcurl (libcurl4-openssl-dev): SMTP delivery of mail.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .target(
            name: "UserLogic", dependencies: ["CSQLite", "COpenSSL", "CCrypt", "CCurl"], path: "Sources/UserLogic"),
        .executableTarget(
            name: "AuthFCGI",
            dependencies: ["CFastCGI", "CPosix", "UserLogic"],
            path: "Sources/AuthFCGI"
        ),
        // Backend-only benchmarks (make bench); not part of make test.
        .executableTarget(name: "AuthBench", dependencies: ["UserLogic"], path: "Benchmarks/AuthBench"),
        .testTarget(name: "UserLogicTests", dependencies: ["UserLogic"], path: "Tests/UserLogicTests"),
    ],
    swiftLanguageModes: [.v6]
)
