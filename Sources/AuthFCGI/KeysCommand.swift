import UserCore

/// `auth-fcgi keys generate | public`: the key files of `JWT_PRIVATE_KEY_FILE` and
/// `JWT_PUBLIC_KEY_FILES` (README, "Signing keys"). Works on files alone: no configuration,
/// no database. Prints the key's `kid`, never the key.
enum KeysCommand {
    static let help = """
        Usage: auth-fcgi keys generate --algorithm EdDSA|ES256 --out FILE
               auth-fcgi keys public --in FILE --out FILE

        generate  writes a new private signing key, PKCS#8 PEM with mode 0600, to FILE
                  (which must not exist) and prints its kid: the JWT_PRIVATE_KEY_FILE of
                  JWT_ALGORITHM=EdDSA (Ed25519) or ES256 (P-256).
        public    writes the public key of the private key file --in to FILE (which must
                  not exist) and prints its kid: a file for JWT_PUBLIC_KEY_FILES, which
                  keeps the tokens of a replaced key valid during a rotation.

        Exits 1 when a file can't be read or written or holds no key, 2 on a usage error.

        """

    /// The exit status: 0 done, 1 a file problem, 2 a usage error.
    static func run(_ words: [String]) -> Int32 {
        guard let subcommand = words.first, ["generate", "public"].contains(subcommand) else {
            if words.contains("--help") || words.contains("-h") {
                FileOutput.printOutput(help)
                return 0
            }
            return usage(words.first.map { "unknown subcommand \"\($0)\"" } ?? "generate or public?")
        }
        let expected: Set<String> = subcommand == "generate" ? ["--algorithm", "--out"] : ["--in", "--out"]
        var flags: [String: String] = [:]
        var remaining = words.dropFirst()
        while let word = remaining.popFirst() {
            if word == "--help" || word == "-h" {
                FileOutput.printOutput(help)
                return 0
            }
            var name = word
            var value: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                value = String(word[word.index(after: equals)...])
            }
            guard expected.contains(name) else { return usage("unknown option \"\(name)\" for keys \(subcommand)") }
            guard let value = value ?? remaining.popFirst() else { return usage("\(name) needs a value") }
            flags[name] = value
        }
        for name in expected.sorted() where flags[name] == nil { return usage("keys \(subcommand) needs \(name)") }
        let output = flags["--out"]!
        let key: SigningKey
        let text: String
        if subcommand == "generate" {
            guard
                let algorithm = JWTAlgorithm.allCases.first(where: {
                    $0.rawValue.lowercased() == flags["--algorithm"]!.lowercased()
                }),
                algorithm != .hs256
            else { return usage("--algorithm must be EdDSA or ES256") }
            key = SigningKey.generate(algorithm)
            text = key.privateKeyPEM
        } else {
            let input = flags["--in"]!
            guard let pem = FileSystem.readFile(input) else { return failure("can't read \(input)") }
            guard let privateKey = SigningKey.privateKey(pem: pem) else {
                return failure("\(input) does not hold a PKCS#8 PEM private key (Ed25519 or P-256)")
            }
            key = privateKey
            text = key.publicKeyPEM
        }
        do {
            try FileSystem.writeFile(output, Array(text.utf8), mode: subcommand == "generate" ? 0o600 : 0o644)
        } catch {
            return failure(error.description)
        }
        FileOutput.printOutput("\(key.keyID)\n")
        return 0
    }

    private static func usage(_ message: String) -> Int32 {
        FileOutput.printError("keys: \(message) (see auth-fcgi keys --help)")
        return 2
    }

    private static func failure(_ message: String) -> Int32 {
        FileOutput.printError("keys: \(message)")
        return 1
    }
}
