import UserCore

/// What one worker thread owns and lends to each request it serves: its database
/// connection, its token MAC context and its password-hashing scratch space. Never shared
/// between threads.
public final class ThreadContext {
    private let storeFactory: StoreFactory
    private var openedStore: (any Store)?
    private let passwordPolicy: PasswordPolicy
    private var passwordHasher: PasswordHasher?
    private let tokenSettings: TokenSettings
    private var tokenCodec: TokenCodec?
    /// Times the password hashes.
    private let metrics: Metrics

    init(storeFactory: StoreFactory, tokenSettings: TokenSettings, passwordPolicy: PasswordPolicy, metrics: Metrics) {
        self.storeFactory = storeFactory
        self.tokenSettings = tokenSettings
        self.passwordPolicy = passwordPolicy
        self.metrics = metrics
    }

    /// The thread's store, opened on first use and again on the next request after a failure.
    public func store() throws -> any Store {
        if let openedStore { return openedStore }
        let store = try storeFactory.open()
        openedStore = store
        return store
    }

    /// Readies the database as `Service.prepareStorage()` does, with the connection this
    /// thread then keeps: a CGI process, which serves one request, opens one instead of two.
    /// Returns the names of the migrations it applied.
    @discardableResult
    public func prepareStore() throws -> [String] {
        let (store, applied) = try storeFactory.openPrepared()
        openedStore = store
        return applied
    }

    /// Made on first use: only the endpoints that handle passwords pay for its 32 KiB.
    var passwords: PasswordHasher {
        if let passwordHasher { return passwordHasher }
        let hasher = PasswordHasher(policy: passwordPolicy, metrics: metrics)
        passwordHasher = hasher
        return hasher
    }

    /// Made on first use: its MAC context initialises OpenSSL (about 1.7 ms), which a CGI
    /// request that handles no token (`/api/health`) need not pay.
    var tokens: TokenCodec {
        if let tokenCodec { return tokenCodec }
        let codec = TokenCodec(settings: tokenSettings)
        tokenCodec = codec
        return codec
    }
}
