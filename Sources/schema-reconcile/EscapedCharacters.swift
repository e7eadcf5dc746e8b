import ArgumentParser

/// Reads `--ignored-chars`: a string whose every Unicode scalar is an ignored character.
///
/// Shells make control characters awkward to type, so `\r`, `\n`, `\t`, `\\` and `\u{XXXX}`
/// written literally are decoded; any other backslash sequence is rejected rather than guessed.
enum EscapedCharacters {
    static func parse(_ argument: String) throws -> Set<Unicode.Scalar> {
        var scalars: Set<Unicode.Scalar> = []
        var iterator = argument.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\\" else {
                scalars.insert(scalar)
                continue
            }
            switch iterator.next() {
            case "r": scalars.insert("\r")
            case "n": scalars.insert("\n")
            case "t": scalars.insert("\t")
            case "\\": scalars.insert("\\")
            case "u":
                guard iterator.next() == "{" else { throw invalid(argument) }
                var hex = ""
                while let digit = iterator.next(), digit != "}" {
                    hex.unicodeScalars.append(digit)
                }
                guard (1...8).contains(hex.count), let value = UInt32(hex, radix: 16),
                      let decoded = Unicode.Scalar(value) else {
                    throw ValidationError("\\u{\(hex)} is not a Unicode scalar value")
                }
                scalars.insert(decoded)
            default:
                throw invalid(argument)
            }
        }
        return scalars
    }

    private static func invalid(_ argument: String) -> ValidationError {
        ValidationError(#"unknown escape in "\#(argument)": use \r \n \t \\ or \u{XXXX}"#)
    }
}
