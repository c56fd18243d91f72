import FuzzHarnesses
import Glibc
import Testing

/// Replays every input kept in `Fuzz/corpus/<harness>/` — seeds and the inputs of crashes
/// `make fuzz` found, each kept once fixed — through the same harnesses libFuzzer runs.
@Suite struct FuzzCorpusTests {
    static let corpus =
        String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/")).prefixedWithSlash
        + "/Fuzz/corpus"

    @Test(arguments: FuzzHarness.allCases)
    func replay(_ harness: FuzzHarness) throws {
        let directory = Self.corpus + "/" + harness.rawValue
        let files = Self.files(in: directory)
        #expect(!files.isEmpty, "no corpus in \(directory)")
        for file in files {
            harness.run(try #require(Self.bytes(of: directory + "/" + file), "\(file)"))
        }
    }

    static func files(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    static func bytes(of path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return bytes
    }
}

extension String {
    fileprivate var prefixedWithSlash: String { hasPrefix("/") ? self : "/" + self }
}
