import UserCore

/// Requests counted by route and status, and their time inside the backend in a histogram by
/// route, in shared memory like `Metrics`: three relaxed atomic adds per request.
struct RequestMetrics: Sendable {
    /// The statuses the service answers with, each counted on its own; any other is "other".
    static let statusCodes = HTTPStatus.all.map(\.code)

    /// A route as the metrics name it.
    struct RouteLabel: Sendable {
        let method: String
        /// The path as OpenAPI writes it, `/api/users/{id}`.
        let template: String

        init(method: String, template: String) {
            self.method = method
            self.template = template
        }

        init(_ route: Route) {
            self.init(method: route.method, template: route.pattern.template)
        }
    }

    /// The labels of each route slot: the router's routes in order, then "other" for
    /// requests that match none (404, 405).
    let routes: [RouteLabel]
    private let memory: MetricsMemory?
    /// The status slot of each code from 100 to 599 (a lookup without hashing).
    private let statusSlotByCode: [Int]
    private var statusSlots: Int { Self.statusCodes.count + 1 }
    private var bucketSlots: Int { HistogramBuckets.requests.slotCount }
    /// The counts come first, then the buckets, then the sums.
    private var bucketsStart: Int { routes.count * statusSlots }
    private var sumsStart: Int { bucketsStart + routes.count * bucketSlots }

    /// Nothing kept (CGI, the commands), and no labels made.
    static let none = RequestMetrics(labels: [], kept: false)

    /// The routes' slots in the order of `labels`, and "other", in new shared memory (nothing
    /// kept if the kernel refuses it).
    init(labels: [RouteLabel]) {
        self.init(labels: labels, kept: true)
    }

    private init(labels: [RouteLabel], kept: Bool) {
        let labels = labels + [RouteLabel(method: "other", template: "other")]
        self.routes = labels
        var slots = [Int](repeating: Self.statusCodes.count, count: 500)
        for (slot, code) in Self.statusCodes.enumerated() { slots[code - 100] = slot }
        statusSlotByCode = slots
        let slotCount = labels.count * (Self.statusCodes.count + 1 + HistogramBuckets.requests.slotCount + 1)
        memory = kept ? MetricsMemory(slotCount: slotCount) : nil
    }

    /// The slot of requests that matched no route.
    var unmatchedRoute: Int { routes.count - 1 }

    func record(route: Int, status: Int, nanoseconds: UInt64) {
        guard let memory else { return }
        let statusSlot = (100..<600).contains(status) ? statusSlotByCode[status - 100] : Self.statusCodes.count
        memory.add(1, at: route * statusSlots + statusSlot)
        memory.add(1, at: bucketsStart + route * bucketSlots + HistogramBuckets.requests.slot(for: nanoseconds))
        memory.add(nanoseconds, at: sumsStart + route)
    }

    /// The requests of `route` by status: `statusCodes` in order, then "other".
    func counts(route: Int) -> [UInt64] {
        (0..<statusSlots).map { memory?.load(route * statusSlots + $0) ?? 0 }
    }

    /// Per-bucket (not cumulative) counts of `route`'s request times, and their sum.
    func durations(route: Int) -> (buckets: [UInt64], sumNanoseconds: UInt64) {
        let buckets = (0..<bucketSlots).map { memory?.load(bucketsStart + route * bucketSlots + $0) ?? 0 }
        return (buckets, memory?.load(sumsStart + route) ?? 0)
    }
}
