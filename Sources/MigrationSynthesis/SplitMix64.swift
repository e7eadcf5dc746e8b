/// A tiny deterministic pseudo-random generator (SplitMix64).
///
/// Every draw is computed with integer arithmetic only, so a seed yields the same sequence on every
/// platform and Swift version. The generator itself draws with ``below(_:)`` only: the standard
/// library's `random(in:using:)` algorithms (available through `RandomNumberGenerator`, which tests
/// use) are not guaranteed stable across releases.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (bound > 0), by rejection so there is no modulo bias.
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let span = UInt64(bound)
        let limit = UInt64.max - UInt64.max % span
        while true {
            let value = next()
            if value < limit { return Int(value % span) }
        }
    }

    /// A value in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A value in `low...high`.
    mutating func int(_ low: Int, _ high: Int) -> Int {
        int(low...high)
    }

    /// True with probability `percent`/100.
    mutating func percent(_ percent: Int) -> Bool {
        below(100) < percent
    }

    /// One element of a non-empty array.
    mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }

    /// One item, chosen with probability proportional to its (positive) weight.
    mutating func weighted<T>(_ items: [(T, Int)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var roll = below(total)
        for (item, weight) in items {
            if roll < weight { return item }
            roll -= weight
        }
        return items[items.count - 1].0
    }

    /// `count` distinct elements of `items`, in a random order (partial Fisher–Yates).
    mutating func sample<T>(_ items: [T], _ count: Int) -> [T] {
        var pool = items
        let wanted = min(count, pool.count)
        for index in 0..<wanted {
            pool.swapAt(index, index + below(pool.count - index))
        }
        return Array(pool.prefix(wanted))
    }
}
