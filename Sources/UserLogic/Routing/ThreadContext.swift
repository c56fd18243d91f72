/// What one worker thread owns and lends to each request it serves: its database
/// connection. Never shared between threads.
public final class ThreadContext {
    private let storeFactory: StoreFactory
    private var openedStore: (any Store)?

    public init(storeFactory: StoreFactory) {
        self.storeFactory = storeFactory
    }

    /// The thread's store, opened on first use and again on the next request after a failure.
    public func store() throws -> any Store {
        if let openedStore { return openedStore }
        let store = try storeFactory.open()
        openedStore = store
        return store
    }
}
