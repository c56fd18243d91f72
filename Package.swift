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
        .target(name: "UserLogic", path: "Sources/UserLogic"),
        .executableTarget(
            name: "AuthFCGI",
            dependencies: ["CFastCGI", "UserLogic"],
            path: "Sources/AuthFCGI"
        ),
        .testTarget(name: "UserLogicTests", dependencies: ["UserLogic"], path: "Tests/UserLogicTests"),
    ],
    swiftLanguageModes: [.v6]
)
