import Foundation

// The record layout: LEB128 unsigned integers, zigzag signed ones, length-prefixed UTF-8 strings and
// bytes, a flag byte before optionals and a count before arrays. The launch cache writes its records
// in it and a diagnosis its ledger digest; the launch record's own values are added in LaunchCache.swift.

/// Appends values in the record layout.
struct RecordWriter {
    var bytes: [UInt8] = []

    mutating func unsigned(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func int(_ value: Int64) { unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
    mutating func int(_ value: Int) { int(Int64(value)) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// A version: 0 and the integer, 1 and a dotted version's text, 2 and a text version.
    mutating func version(_ value: MigrationVersion) {
        if let integer = value.integer {
            bytes.append(0)
            int(integer)
        } else {
            bytes.append(value.isText ? 2 : 1)
            string(value.description)
        }
    }

    mutating func string(_ value: String) {
        unsigned(UInt64(value.utf8.count))
        bytes += value.utf8
    }

    mutating func digest(_ value: Digest) { blob(value.bytes) }

    /// Raw bytes, after their count.
    mutating func blob(_ value: [UInt8]) {
        unsigned(UInt64(value.count))
        bytes += value
    }

    mutating func optional<T>(_ value: T?, _ body: (inout RecordWriter, T) -> Void) {
        bool(value != nil)
        if let value { body(&self, value) }
    }

    mutating func optionalString(_ value: String?) { optional(value) { $0.string($1) } }

    mutating func array<T>(_ values: [T], _ body: (inout RecordWriter, T) -> Void) {
        unsigned(UInt64(values.count))
        for value in values { body(&self, value) }
    }
}

/// A file's 8-byte seal: a 64-bit check of its bytes, appended when written and verified when read, so
/// a cache file a crash left with zeroed or stale blocks (written, renamed, never flushed) is ignored,
/// not half-believed. Not cryptographic: the files are private to the user, whom it does not guard against.
enum RecordSeal {
    static func check(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
            offset += 8
        }
        while offset < bytes.count {
            hash = (hash ^ UInt64(bytes[offset])) &* 0x94D0_49BB_1331_11EB
            offset += 1
        }
        return hash ^ (hash >> 29)
    }

    /// `body` with its seal after it.
    static func sealed(_ body: [UInt8]) -> [UInt8] {
        let seal = body.withUnsafeBytes(check).littleEndian
        return body + withUnsafeBytes(of: seal) { Array($0) }
    }

    /// A reader of the body of `bytes` when its seal matches; nil otherwise.
    static func reader(ofSealed bytes: [UInt8]) -> RecordReader? {
        guard bytes.count >= 8 else { return nil }
        let body = bytes.count - 8
        let matches = bytes.withUnsafeBytes { buffer in
            check(UnsafeRawBufferPointer(rebasing: buffer[..<body])) == UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: body, as: UInt64.self))
        }
        return matches ? RecordReader(bytes: bytes, end: body) : nil
    }
}

/// Reads values in the record layout; throws on anything malformed (the record is then ignored).
struct RecordReader {
    struct Malformed: Error {}

    let bytes: [UInt8]
    var offset = 0
    /// Where the values end (before a seal, if any).
    let end: Int

    init(bytes: [UInt8], end: Int? = nil) {
        self.bytes = bytes
        self.end = end ?? bytes.count
    }

    /// Whether every value was read.
    var atEnd: Bool { offset == end }

    mutating func byte() throws -> UInt8 {
        guard offset < end else { throw Malformed() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func unsigned() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try byte()
            guard shift < 64 else { throw Malformed() }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func int() throws -> Int64 {
        let raw = try unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func version() throws -> MigrationVersion {
        switch try byte() {
        case 0: return MigrationVersion(try int())
        case 1:
            guard let dotted = MigrationVersion(dotted: try string()) else { throw Malformed() }
            return dotted
        case 2: return MigrationVersion(text: try string())
        default: throw Malformed()
        }
    }

    mutating func intValue() throws -> Int {
        let value = try int()
        guard let narrowed = Int(exactly: value) else { throw Malformed() }
        return narrowed
    }

    mutating func bool() throws -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw Malformed()
        }
    }

    mutating func count() throws -> Int {
        let count = try unsigned()
        guard count <= UInt64(end - offset) else { throw Malformed() }
        return Int(count)
    }

    mutating func string() throws -> String {
        let count = try count()
        defer { offset += count }
        let start = offset
        let text = bytes.withUnsafeBufferPointer { buffer -> String? in
            let utf8 = UnsafeBufferPointer(rebasing: buffer[start..<start + count])
            // ASCII is valid UTF-8, and `String(decoding:)` from contiguous memory is specialised here,
            // while `String(validating:)` goes through generic code costing about a thousand instructions
            // a call (callgrind): most of a record's strings are short ASCII names.
            if UTF8Bytes.isASCII(utf8) { return String(decoding: utf8, as: UTF8.self) }
            return String(validating: utf8, as: UTF8.self)
        }
        guard let text else { throw Malformed() }
        return text
    }

    mutating func digest() throws -> Digest { Digest(bytes: try blob()) }

    mutating func blob() throws -> [UInt8] {
        let count = try count()
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func optional<T>(_ body: (inout RecordReader) throws -> T) throws -> T? {
        try bool() ? try body(&self) : nil
    }

    mutating func optionalString() throws -> String? { try optional { try $0.string() } }

    mutating func array<T>(_ body: (inout RecordReader) throws -> T) throws -> [T] {
        let count = try count()
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try body(&self)) }
        return values
    }
}
