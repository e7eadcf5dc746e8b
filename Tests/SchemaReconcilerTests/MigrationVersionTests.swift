import Foundation
import GRDB
import Testing
@testable import SchemaReconciler

@Suite("Migration versions: integers, Flyway's dotted versions and diesel's text, each ordered as its tool orders them")
struct MigrationVersionTests {
    private func dotted(_ text: String) -> MigrationVersion { MigrationVersion(dotted: text)! }

    @Test("dotted versions compare numerically part by part; trailing zero parts and leading zeros do not count")
    func dottedOrder() {
        // Flyway's MigrationVersion: 1.2.10 after 1.2.9 (a string sort would put it first), 1.0 equals 1.
        #expect(dotted("1.2.9") < dotted("1.2.10"))
        #expect(dotted("1.2") < dotted("1.2.1"))
        #expect(dotted("1.10") > dotted("1.9"))
        #expect(dotted("1.0") == dotted("1"))
        #expect(dotted("1.0.0").hashValue == dotted("1").hashValue)
        #expect(dotted("001") == dotted("1"))
        #expect(dotted("2") > dotted("1.99999999999999999999999"))
        #expect(dotted("1.0") == MigrationVersion(1), "a dotted version and an integer with one value are one version")
        #expect(Set([dotted("1.0"), MigrationVersion(1), dotted("1")]).count == 1)
        #expect(dotted("1.0").description == "1.0", "the text is kept as written")
        let shuffled = ["1.2.10", "1.10", "1", "1.2.9", "0.9", "1.2"].map(dotted).shuffled()
        #expect(shuffled.sorted().map(\.description) == ["0.9", "1", "1.2", "1.2.9", "1.2.10", "1.10"])
    }

    @Test("dotted text is digits between single dots; anything else is no dotted version")
    func dottedParsing() {
        for bad in ["", ".", "1.", ".1", "1..2", "1.a", "v1", "1_2", " 1", "-1"] {
            #expect(MigrationVersion(dotted: bad) == nil, "\(bad)")
        }
    }

    @Test("integers compare as Int64, negative ones first; text compares as strings after every number")
    func mixedOrder() {
        #expect(MigrationVersion(-5) < MigrationVersion(0))
        #expect(MigrationVersion(-1) < dotted("0.1"))
        #expect(MigrationVersion(Int64.max) > MigrationVersion(Int64.max - 1))
        #expect(MigrationVersion(text: "abc") < MigrationVersion(text: "abd"))
        #expect(MigrationVersion(text: "10") < MigrationVersion(text: "9"), "diesel's string order")
        #expect(MigrationVersion(9_999_999) < MigrationVersion(text: "0"))
        #expect(MigrationVersion(text: "5") != MigrationVersion(5))
        #expect(MigrationVersion(22).follows(21) && !MigrationVersion(23).follows(21) && !dotted("1.1").follows(dotted("1.0")))
        #expect(!MigrationVersion(Int64.min).follows(MigrationVersion(Int64.max)))
    }

    @Test("JSON: integers are numbers, the others strings; decoding gives back equal versions")
    func json() throws {
        let versions: [MigrationVersion] = [21, dotted("1.2.10"), MigrationVersion(text: "abc"), -3]
        let data = try JSONEncoder().encode(versions)
        #expect(String(decoding: data, as: UTF8.self) == #"[21,"1.2.10","abc",-3]"#)
        #expect(try JSONDecoder().decode([MigrationVersion].self, from: data) == versions)
        #expect(try JSONDecoder().decode([MigrationVersion].self, from: Data(#"["21"]"#.utf8)) == [21])
    }

    @Test("SQLite values: INTEGER is an integer version, TEXT a dotted or text one, other classes none")
    func databaseValues() throws {
        let queue = try DatabaseQueue()
        try queue.read { db throws in
            let integer = try MigrationVersion.fetchOne(db, sql: "SELECT 21")
            let dottedText = try MigrationVersion.fetchOne(db, sql: "SELECT '1.2.10'")
            let text = try MigrationVersion.fetchOne(db, sql: "SELECT 'abc'")
            let stored = try Int64.fetchOne(db, sql: "SELECT ?", arguments: [MigrationVersion(21)])
            let storageClass = try String.fetchOne(db, sql: "SELECT typeof(?)", arguments: [dotted("1.2")])
            #expect(integer == 21)
            #expect(dottedText?.description == "1.2.10")
            #expect(text == MigrationVersion(text: "abc"))
            #expect(MigrationVersion.fromDatabaseValue(1.5.databaseValue) == nil)
            #expect(stored == 21)
            #expect(storageClass == "text")
        }
    }

    @Test("what a person types: integers, dotted versions, letters and digits; nothing else")
    func arguments() {
        #expect(MigrationVersion(argument: "21") == 21)
        #expect(MigrationVersion(argument: "-4") == -4)
        #expect(MigrationVersion(argument: "1.2.10") == dotted("1.2.10"))
        #expect(MigrationVersion(argument: "2024abc") == MigrationVersion(text: "2024abc"))
        for bad in ["", "99999999999999999999", "1 2", "1.", "a-b", "--drop", "é1"] {
            #expect(MigrationVersion(argument: bad) == nil, "\(bad)")
        }
    }
}
