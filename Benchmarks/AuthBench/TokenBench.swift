import UserCore

/// `auth-bench tokens`: the CPU time of `TokenCodec.verify` and `sign` for an access token
/// under each `JWT_ALGORITHM`, one thread, as whoami (a verify) and refresh (a verify and two
/// signs) pay it. Batches of 100 calls, the median batch over `iterations` batches, per call.
func benchmarkTokens(_ options: Options) {
    let now: Int64 = 1_800_000_000
    let claims = TokenClaims(
        issuer: "bench", audience: "bench", subject: "2", issuedAt: now, notBefore: now, expiresAt: now + 900,
        tokenID: "7bYlV0e3kW2xgk5q4T0N8A", type: .access, sessionID: "Qm9vdHN0cmFwU2Vzc2lvbg", role: "USER",
        authenticationMethods: ["pwd"])
    print("TokenCodec CPU per access token, one thread (median of \(options.iterations) batches of 100)")
    print("algorithm".padding(12) + "verify µs".padding(12) + "sign µs".padding(12) + "token bytes")
    for algorithm in JWTAlgorithm.allCases {
        let settings =
            algorithm == .hs256
            ? TokenSettings(key: Array(repeating: 7, count: 32), issuer: "bench", audience: "bench", leeway: 10)
            : TokenSettings(signingKey: .generate(algorithm), issuer: "bench", audience: "bench", leeway: 10)
        let codec = TokenCodec(settings: settings)
        let token = codec.sign(claims)
        let verify = medianMicroseconds(options.iterations) {
            guard (try? codec.verify(token, now: now)) == claims else { fail("\(algorithm.rawValue): verify failed") }
        }
        let sign = medianMicroseconds(options.iterations) { _ = codec.sign(claims) }
        print(
            algorithm.rawValue.padding(12) + format2(verify).padding(12) + format2(sign).padding(12)
                + "\(token.utf8.count)")
    }
}

/// The median over `batches` of one call's thread CPU time in a batch of 100 calls of `body`.
private func medianMicroseconds(_ batches: Int, _ body: () -> Void) -> Double {
    for _ in 0..<100 { body() }  // warm-up
    var samples: [UInt64] = []
    samples.reserveCapacity(batches)
    for _ in 0..<batches {
        let start = threadCPUNanoseconds()
        for _ in 0..<100 { body() }
        samples.append(threadCPUNanoseconds() - start)
    }
    samples.sort()
    return Double(samples[samples.count / 2]) / 100 / 1000
}
