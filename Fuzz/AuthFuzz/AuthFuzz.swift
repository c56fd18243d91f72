import FuzzHarnesses
import Glibc
import UserCore

// libFuzzer entry points. Built only by `make fuzz` (AUTH_FUZZ=1, -sanitize=fuzzer,address);
// FUZZ_TARGET names the harness (json, cgi, query, router, jwt, dotenv, bodies).

nonisolated(unsafe) private var harness = FuzzHarness.json

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    harness.run(data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point as `<module>_main`: hand over to libFuzzer.
@_cdecl("AuthFuzz_main")
public func authFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? "json"
    guard let chosen = FuzzHarness(rawValue: name) else {
        FileSystem.writeAll(2, Array("AuthFuzz: unknown FUZZ_TARGET \(name)\n".utf8))
        return 2
    }
    harness = chosen
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, fuzzOneInput)
}
