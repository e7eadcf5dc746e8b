// Tokenizer for the SQL text stored in sqlite_schema.
//
// The lexical rules follow SQLite's own tokenizer (tokenize.c), so that token
// boundaries match what SQLite itself sees. The tokenizer is tolerant: odd or
// unterminated input never traps and never throws, it only yields odd tokens.
//
// All scanning works on UTF-8 bytes. Every byte >= 0x80 is an identifier
// character, as in SQLite, so a token boundary never splits a Unicode scalar
// and every token range decodes back to valid text.

// MARK: - SQLToken

/// A token of SQLite SQL text, as produced by ``SQLTokenizer/tokens(in:)``.
///
/// ```swift
/// let token = SQLTokenizer.tokens(in: "[Player]")[0]
/// token.kind      // .identifier
/// token.text      // "[Player]"
/// token.value     // "Player"
/// token.canonical // "player"
/// ```
struct SQLToken: Sendable, Hashable {
    /// The lexical category of a token.
    ///
    /// ```swift
    /// SQLTokenizer.tokens(in: "SELECT 1").map(\.kind) // [.keyword, .number]
    /// ```
    public enum Kind: Sendable, Hashable {
        /// A bare word that is an SQLite keyword.
        ///
        /// ```swift
        /// SQLTokenizer.tokens(in: "create")[0].kind // .keyword
        /// ```
        case keyword

        /// A bare word that is not a keyword, or any quoted identifier.
        ///
        /// ```swift
        /// SQLTokenizer.tokens(in: #""select""#)[0].kind // .identifier
        /// ```
        case identifier

        /// A string literal in single quotes.
        ///
        /// ```swift
        /// SQLTokenizer.tokens(in: "'it''s'")[0].kind // .string
        /// ```
        case string

        /// A blob literal such as `x'00FF'`.
        ///
        /// ```swift
        /// SQLTokenizer.tokens(in: "X'00FF'")[0].kind // .blob
        /// ```
        case blob

        /// A numeric literal: integer, decimal, exponent, or hexadecimal.
        ///
        /// ```swift
        /// SQLTokenizer.tokens(in: "0x1F")[0].kind // .number
        /// ```
        case number

        /// A bound parameter such as `?`, `?1`, `:name`, `@name`, or `$name`.
        ///
        /// ```swift
        /// SQLTokenizer.tokens(in: ":name")[0].kind // .variable
        /// ```
        case variable

        /// An operator or punctuation, or a byte SQLite would reject.
        ///
        /// ```swift
        /// SQLTokenizer.tokens(in: "->>")[0].kind // .symbol
        /// ```
        case symbol
    }

    /// The lexical category of the token.
    ///
    /// ```swift
    /// SQLTokenizer.tokens(in: "t")[0].kind // .identifier
    /// ```
    public var kind: Kind

    /// The original text of the token exactly as in the source, quotes included.
    ///
    /// ```swift
    /// SQLTokenizer.tokens(in: #""a""b""#)[0].text // #""a""b""#
    /// ```
    public var text: String

    /// The unquoted name for identifiers, and the original text for other tokens.
    ///
    /// ```swift
    /// SQLTokenizer.tokens(in: #""a""b""#)[0].value // #"a"b"#
    /// SQLTokenizer.tokens(in: "`x`")[0].value      // "x"
    /// ```
    public var value: String

    /// The spelling used for hashing, identical for a name however it is quoted or cased.
    ///
    /// Keywords are uppercased, plain names are lowercased (ASCII only, as
    /// SQLite compares names), other names are lowercased and double-quoted,
    /// and all other tokens keep their text.
    ///
    /// ```swift
    /// SQLTokenizer.tokens(in: #""Threads""#)[0].canonical // "threads"
    /// SQLTokenizer.tokens(in: #""select""#)[0].canonical  // "SELECT"
    /// SQLTokenizer.tokens(in: #""My Col""#)[0].canonical  // #""my col""#
    /// ```
    public var canonical: String
}

// MARK: - SQLTokenizer

/// A namespace for tokenizing and normalizing SQLite SQL text.
///
/// ```swift
/// SQLTokenizer.normalized(#"CREATE  INDEX "idx" ON [T] ( a )"#)
/// // "CREATE INDEX idx ON t(a)"
/// ```
enum SQLTokenizer: Sendable {
    /// Returns the tokens of `sql`, with whitespace and comments dropped.
    ///
    /// ```swift
    /// let tokens = SQLTokenizer.tokens(in: "SELECT a -- comment")
    /// tokens.map(\.text) // ["SELECT", "a"]
    /// ```
    public static func tokens(in sql: String) -> [SQLToken] {
        var sql = sql
        return sql.withUTF8 { source in
            var result: [SQLToken] = []
            // Most tokens of schema SQL are a few bytes long plus a space.
            result.reserveCapacity(source.count / 5 + 1)
            var valueBytes: [UInt8] = []
            var canonicalBytes: [UInt8] = []
            var position = 0
            while let raw = Lexer.next(in: source, at: &position) {
                let textBytes = source.slice(raw.start, raw.end)
                let text = String(decoding: textBytes, as: UTF8.self)
                switch raw.kind {
                case .keyword, .identifier:
                    let value: String
                    canonicalBytes.removeAll(keepingCapacity: true)
                    if raw.isQuoted {
                        valueBytes.removeAll(keepingCapacity: true)
                        raw.appendUnquotedName(from: source, to: &valueBytes)
                        value = String(decoding: valueBytes, as: UTF8.self)
                        Canonical.appendName(valueBytes, to: &canonicalBytes)
                    } else {
                        value = text
                        Canonical.appendName(textBytes, to: &canonicalBytes)
                    }
                    // Reusing the value string avoids a second allocation for
                    // names that are already in canonical form.
                    let canonical = canonicalBytes.elementsEqual(value.utf8)
                        ? value
                        : String(decoding: canonicalBytes, as: UTF8.self)
                    result.append(SQLToken(kind: raw.kind, text: text, value: value, canonical: canonical))
                case .string, .blob, .number, .variable, .symbol:
                    result.append(SQLToken(kind: raw.kind, text: text, value: text, canonical: text))
                }
            }
            return result
        }
    }

    /// Returns the canonical text of `sql`: its tokens' canonical spellings, evenly spaced.
    ///
    /// Tokens are joined with a single space, except that no space precedes
    /// `,` `)` `;` `.`, nor a `(` that follows a keyword or identifier (a call
    /// or a column list), and no space follows `(` `.`. A final `;` is dropped.
    ///
    /// ```swift
    /// SQLTokenizer.normalized(#"CREATE  INDEX "idx" ON [T] ( a , lower( "B" ) ) -- c"#)
    /// // "CREATE INDEX idx ON t(a, lower(b))"
    /// ```
    public static func normalized(_ sql: String) -> String {
        render(tokens(in: sql))
    }

    /// Joins tokens' canonical spellings with the spacing rules of ``normalized(_:)``.
    ///
    /// ```swift
    /// let tokens = SQLTokenizer.tokens(in: "CHECK ( a > 0 )")
    /// SQLTokenizer.render(tokens.dropFirst()) // "(a > 0)"
    /// ```
    public static func render(_ tokens: some Collection<SQLToken>) -> String {
        var output = ""
        var spaceAllowed = false // No leading space.
        var afterName = false
        var endsWithSemicolon = false
        for token in tokens {
            let punctuation: String? = token.kind == .symbol && token.text.utf8.count == 1 ? token.text : nil
            switch punctuation {
            case ",", ")", ";", ".":
                break
            case "(" where afterName:
                // Keyword and identifier kinds must agree here: `key(a)` and
                // `"key"(a)` differ in kind but share a canonical spelling.
                break
            default:
                if spaceAllowed { output += " " }
            }
            output += token.canonical
            spaceAllowed = punctuation != "(" && punctuation != "."
            afterName = token.kind == .keyword || token.kind == .identifier
            endsWithSemicolon = punctuation == ";"
        }
        if endsWithSemicolon, output.last == ";" {
            output.removeLast()
        }
        return output
    }

    /// Returns whether a word is an SQLite keyword, ignoring ASCII case.
    ///
    /// ```swift
    /// SQLTokenizer.isKeyword("select") // true
    /// SQLTokenizer.isKeyword("lower")  // false
    /// ```
    public static func isKeyword(_ word: some StringProtocol) -> Bool {
        Keywords.contains(word.utf8)
    }
}

// MARK: - Keywords

extension SQLTokenizer {
    /// The SQLite keyword list, with allocation-free lookups.
    enum Keywords {
        /// The 147 keywords of SQLite 3.40 (https://sqlite.org/lang_keywords.html).
        static let list: [String] = [
            "ABORT", "ACTION", "ADD", "AFTER", "ALL", "ALTER", "ALWAYS", "ANALYZE", "AND", "AS",
            "ASC", "ATTACH", "AUTOINCREMENT", "BEFORE", "BEGIN", "BETWEEN", "BY", "CASCADE", "CASE",
            "CAST", "CHECK", "COLLATE", "COLUMN", "COMMIT", "CONFLICT", "CONSTRAINT", "CREATE",
            "CROSS", "CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DATABASE",
            "DEFAULT", "DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DETACH", "DISTINCT", "DO",
            "DROP", "EACH", "ELSE", "END", "ESCAPE", "EXCEPT", "EXCLUDE", "EXCLUSIVE", "EXISTS",
            "EXPLAIN", "FAIL", "FILTER", "FIRST", "FOLLOWING", "FOR", "FOREIGN", "FROM", "FULL",
            "GENERATED", "GLOB", "GROUP", "GROUPS", "HAVING", "IF", "IGNORE", "IMMEDIATE", "IN",
            "INDEX", "INDEXED", "INITIALLY", "INNER", "INSERT", "INSTEAD", "INTERSECT", "INTO",
            "IS", "ISNULL", "JOIN", "KEY", "LAST", "LEFT", "LIKE", "LIMIT", "MATCH",
            "MATERIALIZED", "NATURAL", "NO", "NOT", "NOTHING", "NOTNULL", "NULL", "NULLS", "OF",
            "OFFSET", "ON", "OR", "ORDER", "OTHERS", "OUTER", "OVER", "PARTITION", "PLAN",
            "PRAGMA", "PRECEDING", "PRIMARY", "QUERY", "RAISE", "RANGE", "RECURSIVE",
            "REFERENCES", "REGEXP", "REINDEX", "RELEASE", "RENAME", "REPLACE", "RESTRICT",
            "RETURNING", "RIGHT", "ROLLBACK", "ROW", "ROWS", "SAVEPOINT", "SELECT", "SET", "TABLE",
            "TEMP", "TEMPORARY", "THEN", "TIES", "TO", "TRANSACTION", "TRIGGER", "UNBOUNDED",
            "UNION", "UNIQUE", "UPDATE", "USING", "VACUUM", "VALUES", "VIEW", "VIRTUAL", "WHEN",
            "WHERE", "WINDOW", "WITH", "WITHOUT",
        ]

        /// The keywords as packed keys, so that lookups from raw bytes need no String.
        static let set: Set<Key> = Set(list.compactMap { Key($0.utf8) })

        /// Whether `word` is a keyword, ignoring ASCII case.
        @inline(__always)
        static func contains(_ word: some Sequence<UInt8>) -> Bool {
            guard let key = Key(word) else { return false }
            return set.contains(key)
        }

        /// A case-folded word of at most 17 letters or underscores, 5 bits per byte.
        ///
        /// Every code is non-zero, so words of different lengths never collide.
        struct Key: Sendable, Hashable {
            var low: UInt64 = 0
            var high: UInt64 = 0

            /// Returns nil for words that cannot be keywords, before any hashing.
            @inline(__always)
            init?(_ word: some Sequence<UInt8>) {
                var count = 0
                for byte in word {
                    let code: UInt64
                    switch byte {
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"): code = UInt64(byte &- 0x40)
                    case UInt8(ascii: "a")...UInt8(ascii: "z"): code = UInt64(byte &- 0x60)
                    case Byte.underscore: code = 27
                    default: return nil
                    }
                    // The longest keyword, CURRENT_TIMESTAMP, has 17 bytes.
                    if count == 17 { return nil }
                    if count < 12 {
                        low = low << 5 | code
                    } else {
                        high = high << 5 | code
                    }
                    count += 1
                }
                if count < 2 { return nil }
            }
        }
    }
}

// MARK: - Raw tokens

extension SQLTokenizer {
    /// A token as byte offsets into the source, before any String is made.
    struct RawToken: Sendable {
        var kind: SQLToken.Kind
        /// Range of the whole token text.
        var start: Int
        var end: Int
        /// Range of the name between the quotes; equal to the token range for bare words.
        var contentStart: Int
        var contentEnd: Int
        /// The quote byte that is escaped by doubling inside the name, or 0 for `[...]` and bare words.
        var escape: UInt8 = 0

        init(_ kind: SQLToken.Kind, _ start: Int, _ end: Int) {
            self.kind = kind
            self.start = start
            self.end = end
            self.contentStart = start
            self.contentEnd = end
        }

        var isQuoted: Bool { contentStart != start }

        /// Appends the name with quotes removed and doubled quotes collapsed.
        func appendUnquotedName(from source: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
            guard escape != 0 else {
                output.append(contentsOf: source.slice(contentStart, contentEnd))
                return
            }
            var index = contentStart
            while index < contentEnd {
                let byte = source[index]
                output.append(byte)
                // The lexer only ends a name on a lone quote, so quotes in the
                // content always come in pairs.
                index += byte == escape ? 2 : 1
            }
        }
    }
}

// MARK: - Lexer

extension SQLTokenizer {
    /// SQLite's lexical rules (tokenize.c), over UTF-8 bytes.
    enum Lexer {
        /// Returns the next token at or after `position`, skipping whitespace and comments.
        static func next(in source: UnsafeBufferPointer<UInt8>, at position: inout Int) -> RawToken? {
            let count = source.count
            // Out-of-range reads give 0, which matches no rule below; this keeps
            // look-ahead at the end of input from trapping.
            @inline(__always) func byte(_ index: Int) -> UInt8 {
                index < count ? source[index] : 0
            }

            while position < count {
                let start = position
                let first = source[start]
                switch first {
                case Byte.space, Byte.tab, Byte.newline, Byte.formFeed, Byte.carriageReturn:
                    position += 1
                    continue

                case Byte.minus:
                    if byte(start + 1) == Byte.minus {
                        position = start + 2
                        while position < count, source[position] != Byte.newline { position += 1 }
                        continue
                    }
                    if byte(start + 1) == Byte.greater {
                        position = start + (byte(start + 2) == Byte.greater ? 3 : 2)
                    } else {
                        position = start + 1
                    }
                    return RawToken(.symbol, start, position)

                case Byte.slash:
                    guard byte(start + 1) == Byte.star else {
                        position = start + 1
                        return RawToken(.symbol, start, position)
                    }
                    // As in SQLite, the closing "*/" may not reuse the opening star: "/*/" is open.
                    var index = start + 2
                    while index < count, !(source[index] == Byte.star && byte(index + 1) == Byte.slash) {
                        index += 1
                    }
                    position = min(index + 2, count)
                    continue

                case Byte.equal:
                    position = start + (byte(start + 1) == Byte.equal ? 2 : 1)
                    return RawToken(.symbol, start, position)

                case Byte.less:
                    switch byte(start + 1) {
                    case Byte.equal, Byte.greater, Byte.less: position = start + 2
                    default: position = start + 1
                    }
                    return RawToken(.symbol, start, position)

                case Byte.greater:
                    switch byte(start + 1) {
                    case Byte.equal, Byte.greater: position = start + 2
                    default: position = start + 1
                    }
                    return RawToken(.symbol, start, position)

                case Byte.bang:
                    position = start + (byte(start + 1) == Byte.equal ? 2 : 1)
                    return RawToken(.symbol, start, position)

                case Byte.pipe:
                    position = start + (byte(start + 1) == Byte.pipe ? 2 : 1)
                    return RawToken(.symbol, start, position)

                case Byte.singleQuote:
                    let (end, _) = scanQuoted(source, from: start, quote: first)
                    position = end
                    return RawToken(.string, start, end)

                case Byte.doubleQuote, Byte.backtick:
                    let (end, contentEnd) = scanQuoted(source, from: start, quote: first)
                    position = end
                    var token = RawToken(.identifier, start, end)
                    token.contentStart = start + 1
                    token.contentEnd = contentEnd
                    token.escape = first
                    return token

                case Byte.openBracket:
                    // Brackets have no escape: the name ends at the first "]".
                    var index = start + 1
                    while index < count, source[index] != Byte.closeBracket { index += 1 }
                    position = min(index + 1, count)
                    var token = RawToken(.identifier, start, position)
                    token.contentStart = start + 1
                    token.contentEnd = index
                    return token

                case Byte.dot:
                    guard Byte.isDigit(byte(start + 1)) else {
                        position = start + 1
                        return RawToken(.symbol, start, position)
                    }
                    position = scanNumber(source, from: start)
                    return RawToken(.number, start, position)

                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    position = scanNumber(source, from: start)
                    return RawToken(.number, start, position)

                case Byte.question:
                    var index = start + 1
                    while Byte.isDigit(byte(index)) { index += 1 }
                    position = index
                    return RawToken(.variable, start, position)

                case Byte.colon, Byte.at, Byte.hash, Byte.dollar:
                    position = scanNamedVariable(source, from: start)
                    // A lone sigil names nothing; SQLite rejects it, we keep it as a symbol.
                    return RawToken(position - start > 1 ? .variable : .symbol, start, position)

                case UInt8(ascii: "x") where byte(start + 1) == Byte.singleQuote,
                     UInt8(ascii: "X") where byte(start + 1) == Byte.singleQuote:
                    // Invalid hex digits are kept: the blob simply runs to the next quote.
                    var index = start + 2
                    while index < count, source[index] != Byte.singleQuote { index += 1 }
                    position = min(index + 1, count)
                    return RawToken(.blob, start, position)

                default:
                    guard Byte.isIdentifierStart(first) else {
                        // Parentheses, arithmetic, and bytes SQLite rejects: one byte each.
                        position = start + 1
                        return RawToken(.symbol, start, position)
                    }
                    var index = start + 1
                    while index < count, Byte.isIdentifierByte(source[index]) { index += 1 }
                    position = index
                    let isKeyword = Keywords.contains(source.slice(start, index))
                    return RawToken(isKeyword ? .keyword : .identifier, start, index)
                }
            }
            return nil
        }

        /// Returns the end of the token and the end of its content for a quoted token.
        ///
        /// A doubled quote is an escaped quote. Unterminated input runs to the end.
        @inline(__always)
        static func scanQuoted(
            _ source: UnsafeBufferPointer<UInt8>,
            from start: Int,
            quote: UInt8
        ) -> (end: Int, contentEnd: Int) {
            let count = source.count
            var index = start + 1
            while index < count {
                if source[index] == quote {
                    if index + 1 < count, source[index + 1] == quote {
                        index += 2
                        continue
                    }
                    return (index + 1, index)
                }
                index += 1
            }
            return (count, count)
        }

        /// Returns the end of a number starting with a digit or a dot.
        static func scanNumber(_ source: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
            let count = source.count
            @inline(__always) func byte(_ index: Int) -> UInt8 {
                index < count ? source[index] : 0
            }
            var index = start
            if byte(index) == UInt8(ascii: "0"),
               byte(index + 1) | 0x20 == UInt8(ascii: "x"),
               Byte.isHexDigit(byte(index + 2))
            {
                index += 3
                while Byte.isHexDigit(byte(index)) { index += 1 }
                return index
            }
            while Byte.isDigit(byte(index)) { index += 1 }
            if byte(index) == Byte.dot {
                index += 1
                while Byte.isDigit(byte(index)) { index += 1 }
            }
            if byte(index) | 0x20 == UInt8(ascii: "e") {
                let sign = byte(index + 1)
                let signed = (sign == Byte.plus || sign == Byte.minus) && Byte.isDigit(byte(index + 2))
                if Byte.isDigit(sign) || signed {
                    index += 2
                    while Byte.isDigit(byte(index)) { index += 1 }
                }
            }
            // SQLite makes "12abc" a single (illegal) token; keep the same boundary.
            while Byte.isIdentifierByte(byte(index)) { index += 1 }
            return index
        }

        /// Returns the end of a `:name`, `@name`, `#name`, or `$name` parameter.
        ///
        /// Includes SQLite's Tcl forms: `$a::b` and `$a(anything)`.
        static func scanNamedVariable(_ source: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
            let count = source.count
            @inline(__always) func byte(_ index: Int) -> UInt8 {
                index < count ? source[index] : 0
            }
            var index = start + 1
            var nameLength = 0
            while index < count {
                let current = source[index]
                if Byte.isIdentifierByte(current) {
                    nameLength += 1
                    index += 1
                } else if current == Byte.openParen, nameLength > 0 {
                    index += 1
                    while index < count, !Byte.isSpace(source[index]), source[index] != Byte.closeParen {
                        index += 1
                    }
                    return byte(index) == Byte.closeParen ? index + 1 : index
                } else if current == Byte.colon, byte(index + 1) == Byte.colon {
                    index += 2
                } else {
                    break
                }
            }
            return nameLength > 0 ? index : start + 1
        }
    }
}

// MARK: - Canonical spelling

extension SQLTokenizer {
    /// Canonical spellings of names, written as bytes.
    enum Canonical {
        /// Appends the canonical spelling of an unquoted name.
        ///
        /// SQLite's ALTER TABLE RENAME adds quotes around names, and SQLite compares
        /// names ignoring ASCII case only, so `Threads`, `"threads"`, and `[THREADS]`
        /// must all be spelled the same. Quotes are kept only where a bare word could
        /// not carry the name.
        static func appendName<C: Collection<UInt8>>(_ name: C, to output: inout [UInt8]) {
            if Keywords.contains(name) {
                for byte in name { output.append(Byte.asciiUppercase(byte)) }
            } else if isPlainName(name) {
                for byte in name { output.append(Byte.asciiLowercase(byte)) }
            } else {
                output.append(Byte.doubleQuote)
                for byte in name {
                    if byte == Byte.doubleQuote { output.append(Byte.doubleQuote) }
                    output.append(Byte.asciiLowercase(byte))
                }
                output.append(Byte.doubleQuote)
            }
        }

        /// Whether `name` could be written as a bare word (keywords aside).
        static func isPlainName(_ name: some Collection<UInt8>) -> Bool {
            guard let first = name.first, Byte.isIdentifierStart(first) else { return false }
            return name.dropFirst().allSatisfy(Byte.isIdentifierByte)
        }
    }
}

// MARK: - Bytes

extension SQLTokenizer {
    /// ASCII bytes the lexer dispatches on.
    enum Byte {
        static let tab = UInt8(ascii: "\t")
        static let newline = UInt8(ascii: "\n")
        static let formFeed: UInt8 = 0x0C
        static let carriageReturn = UInt8(ascii: "\r")
        static let space = UInt8(ascii: " ")
        static let bang = UInt8(ascii: "!")
        static let doubleQuote = UInt8(ascii: "\"")
        static let hash = UInt8(ascii: "#")
        static let dollar = UInt8(ascii: "$")
        static let singleQuote = UInt8(ascii: "'")
        static let openParen = UInt8(ascii: "(")
        static let closeParen = UInt8(ascii: ")")
        static let star = UInt8(ascii: "*")
        static let plus = UInt8(ascii: "+")
        static let comma = UInt8(ascii: ",")
        static let minus = UInt8(ascii: "-")
        static let dot = UInt8(ascii: ".")
        static let slash = UInt8(ascii: "/")
        static let colon = UInt8(ascii: ":")
        static let semicolon = UInt8(ascii: ";")
        static let less = UInt8(ascii: "<")
        static let equal = UInt8(ascii: "=")
        static let greater = UInt8(ascii: ">")
        static let question = UInt8(ascii: "?")
        static let at = UInt8(ascii: "@")
        static let openBracket = UInt8(ascii: "[")
        static let closeBracket = UInt8(ascii: "]")
        static let underscore = UInt8(ascii: "_")
        static let backtick = UInt8(ascii: "`")
        static let pipe = UInt8(ascii: "|")

        @inline(__always)
        static func isDigit(_ byte: UInt8) -> Bool {
            byte &- UInt8(ascii: "0") < 10
        }

        @inline(__always)
        static func isHexDigit(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 6
        }

        @inline(__always)
        static func isSpace(_ byte: UInt8) -> Bool {
            // sqlite3Isspace: \t \n \v \f \r and space.
            byte == space || byte &- tab < 5
        }

        /// Letters, `_`, and any byte of a non-ASCII character (SQLite's identifier start).
        @inline(__always)
        static func isIdentifierStart(_ byte: UInt8) -> Bool {
            byte >= 0x80 || (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte == underscore
        }

        /// Identifier start bytes plus digits and `$` (SQLite's IdChar).
        @inline(__always)
        static func isIdentifierByte(_ byte: UInt8) -> Bool {
            isIdentifierStart(byte) || isDigit(byte) || byte == dollar
        }

        @inline(__always)
        static func asciiUppercase(_ byte: UInt8) -> UInt8 {
            byte &- UInt8(ascii: "a") < 26 ? byte &- 0x20 : byte
        }

        @inline(__always)
        static func asciiLowercase(_ byte: UInt8) -> UInt8 {
            byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
        }
    }
}

// MARK: - Slicing

fileprivate extension UnsafeBufferPointer<UInt8> {
    /// The bytes in `start..<end`, clamped to the buffer so that bad offsets cannot trap.
    @inline(__always)
    func slice(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        let lower = Swift.max(0, Swift.min(start, count))
        let upper = Swift.max(lower, Swift.min(end, count))
        return UnsafeBufferPointer(rebasing: self[lower..<upper])
    }
}
