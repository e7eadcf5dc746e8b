import Crypto
import Foundation

/// A hash value (SHA-256 for schema fingerprints, SHA-384 for sqlx checksums), printed as lowercase hex.
///
/// ```swift
/// let digest = Digest.sha256(of: "CREATE TABLE t(a)")
/// print(digest.hex.prefix(12))
/// ```
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The raw bytes of the hash.
    public let bytes: [UInt8]

    /// Creates a digest from raw bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// All bytes in one call: the synthesized conformance feeds the hasher a byte at a time.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// Parses a lowercase or uppercase hex string; returns nil when it is not hex.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.bytes = bytes
    }

    /// The lowercase hex spelling.
    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A short prefix of the hex spelling, for people.
    public var short: String { String(hex.prefix(12)) }

    public var description: String { hex }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    /// SHA-256 of the UTF-8 bytes of `text`.
    public static func sha256(of text: String) -> Digest {
        Digest(bytes: Array(SHA256.hash(data: Array(text.utf8))))
    }

    /// SHA-256 of raw bytes.
    public static func sha256(of bytes: some DataProtocol) -> Digest {
        Digest(bytes: Array(SHA256.hash(data: bytes)))
    }

    /// SHA-384 of raw bytes, the digest sqlx stores in its ledger.
    public static func sha384(of bytes: some DataProtocol) -> Digest {
        Digest(bytes: Array(SHA384.hash(data: bytes)))
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Digest: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let digest = Digest(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a hex digest: \(text)")
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
