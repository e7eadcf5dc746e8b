import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: enough of a DOM to check report structure with a real parser (libxml2).
final class ParsedXML {
    let name: String
    let attributes: [String: String]
    var children: [ParsedXML] = []
    var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// Every element below this one (depth first), this one included.
    var all: [ParsedXML] { [self] + children.flatMap(\.all) }

    func elements(_ name: String) -> [ParsedXML] { all.filter { $0.name == name } }

    /// The text of this element and everything below it.
    var allText: String { text + children.map(\.allText).joined() }

    var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }

    /// Parses `text`; throws the parser's error (with line and column) when it is not well-formed.
    static func parse(_ text: String) throws -> ParsedXML {
        let parser = XMLParser(data: Data(text.utf8))
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw ParseError(message: "\(parser.parserError.map { String(describing: $0) } ?? "no root element") at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        return root
    }

    struct ParseError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: ParsedXML?
        var stack: [ParsedXML] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let element = ParsedXML(name: elementName, attributes: attributeDict)
            stack.last?.children.append(element)
            if root == nil { root = element }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}
