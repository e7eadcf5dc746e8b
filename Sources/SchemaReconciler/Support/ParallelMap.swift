import Foundation

/// Maps work over a fixed number of threads, keeping results in input order.
///
/// ```swift
/// let lengths = ParallelMap.map(["a", "bb"], jobs: 2) { $0.count } // [1, 2]
/// ```
enum ParallelMap {
    /// `body` over every item, on up to `jobs` threads (at least one); results in input order.
    /// `completed` is told how many items are done after each one, one call at a time.
    static func map<Item: Sendable, Result: Sendable>(_ items: [Item], jobs: Int,
                                                       completed: (@Sendable (Int) -> Void)? = nil,
                                                       _ body: @Sendable (Item) throws -> Result) rethrows -> [Result] {
        let workers = max(1, min(jobs, items.count))
        guard workers > 1 else {
            return try items.enumerated().map { index, item in
                defer { completed?(index + 1) }
                return try body(item)
            }
        }
        let state = State<Result>(count: items.count, completed: completed)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = state.next() {
                do {
                    state.store(.success(try body(items[index])), at: index)
                } catch {
                    state.store(.failure(error), at: index)
                }
            }
        }
        return try state.results.map { try $0!.get() }
    }

    /// The next index to take and the results so far, behind one lock.
    private final class State<Result: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var nextIndex = 0
        private var done = 0
        private let count: Int
        private let completed: (@Sendable (Int) -> Void)?
        private(set) var results: [Swift.Result<Result, any Error>?]

        init(count: Int, completed: (@Sendable (Int) -> Void)?) {
            self.count = count
            self.completed = completed
            results = Array(repeating: nil, count: count)
        }

        func next() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard nextIndex < count else { return nil }
            nextIndex += 1
            return nextIndex - 1
        }

        func store(_ result: Swift.Result<Result, any Error>, at index: Int) {
            lock.lock()
            defer { lock.unlock() }
            results[index] = result
            done += 1
            completed?(done)
        }
    }
}
