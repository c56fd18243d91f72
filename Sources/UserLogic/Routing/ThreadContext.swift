/// What one worker thread owns and lends to each request it serves: its database
/// connection, its token MAC context and its password-hashing scratch space. Never shared
/// between threads.
public final class ThreadContext {
    private let storeFactory: StoreFactory
    private var openedStore: (any Store)?
    private let passwordPolicy: PasswordPolicy
    private var passwordHasher: PasswordHasher?
    let tokens: TokenCodec

    init(storeFactory: StoreFactory, tokenSettings: TokenSettings, passwordPolicy: PasswordPolicy) {
        self.storeFactory = storeFactory
        self.tokens = TokenCodec(settings: tokenSettings)
        self.passwordPolicy = passwordPolicy
    }

    /// The thread's store, opened on first use and again on the next request after a failure.
    public func store() throws -> any Store {
        if let openedStore { return openedStore }
        do {
            let store = try storeFactory.open()
            openedStore = store
            return store
        } catch let error as SQLiteError {
            throw StoreError.unavailable(error.description)
        }
    }

    /// Made on first use: only the endpoints that handle passwords pay for its 32 KiB.
    var passwords: PasswordHasher {
        if let passwordHasher { return passwordHasher }
        let hasher = PasswordHasher(policy: passwordPolicy)
        passwordHasher = hasher
        return hasher
    }
}
