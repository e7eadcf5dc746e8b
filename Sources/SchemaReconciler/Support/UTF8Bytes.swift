#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A string's UTF-8 bytes as contiguous memory, for byte-exact comparison and hashing.
///
/// SQLite compares texts by their bytes; Swift's `String ==` compares by canonical equivalence, so
/// `"é"` spelt as one scalar equals `"e\u{301}"`. Code that must agree with SQLite on identity uses these.
///
/// ```swift
/// UTF8Bytes.equal("caf\u{e9}", "cafe\u{301}") // false, though the strings are ==
/// ```
enum UTF8Bytes {
    /// Calls `body` with the bytes of `text`: in place for a native string, from a copy otherwise.
    static func with<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// Whether the two strings have the same bytes.
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        return with(lhs) { left in
            with(rhs) { right in
                left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
            }
        }
    }

    /// Whether every byte is below 0x80, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return true }
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
