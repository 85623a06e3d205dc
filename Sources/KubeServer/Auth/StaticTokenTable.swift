// Bearer tokens known in advance, as kube-apiserver's `--token-auth-file`: one CSV record per token,
// `token,user,uid,"group1,group2"`. The fleet gives each member agent such a token.

/// A table from bearer token to the user it authenticates.
public struct StaticTokenTable: Sendable, Equatable {
    private var users: [String: UserInfo]

    public init(_ users: [String: UserInfo] = [:]) {
        self.users = users
    }

    /// Parses the token file format: CSV records of at least three fields (token, user name, uid)
    /// and an optional fourth field with comma-separated groups. Fields may be double-quoted (with
    /// `""` for a quote); leading spaces of a field are ignored and blank lines skipped. Extra
    /// fields are ignored. A token listed twice takes the later record, as kube-apiserver does.
    /// - Throws: ``StaticTokenTableError`` naming the 1-based record number.
    public init(csv: String) throws {
        self.init()
        var recordNumber = 0
        for line in csv.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            if line.allSatisfy(\.isWhitespace) { continue }
            recordNumber += 1
            let fields = try Self.fields(of: line, recordNumber: recordNumber)
            guard fields.count >= 3 else {
                throw StaticTokenTableError.tooFewColumns(record: recordNumber, found: fields.count)
            }
            guard !fields[0].isEmpty else { throw StaticTokenTableError.emptyToken(record: recordNumber) }
            var groups: [String] = []
            if fields.count >= 4, !fields[3].isEmpty {
                groups = fields[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
            users[fields[0]] = UserInfo(name: fields[1], uid: fields[2], groups: groups)
        }
    }

    /// Adds or replaces the user of `token`.
    public mutating func add(token: String, user: UserInfo) {
        users[token] = user
    }

    /// The user of `token` as configured (without `system:authenticated`), or `nil` if unknown.
    public func user(forToken token: String) -> UserInfo? {
        users[token]
    }

    public var count: Int { users.count }

    private static func fields(of line: Substring, recordNumber: Int) throws -> [String] {
        var fields: [String] = []
        var current = ""
        var index = line.startIndex
        var atFieldStart = true
        var inQuotes = false
        while index < line.endIndex {
            let character = line[index]
            if inQuotes {
                if character == "\"" {
                    let next = line.index(after: index)
                    if next < line.endIndex, line[next] == "\"" {
                        current.append("\"")
                        index = next
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(character)
                }
            } else if atFieldStart, character == " " || character == "\t" {
                // Leading space is trimmed, as encoding/csv with TrimLeadingSpace does.
            } else if atFieldStart, character == "\"" {
                inQuotes = true
                atFieldStart = false
            } else if character == "," {
                fields.append(current)
                current = ""
                atFieldStart = true
            } else {
                current.append(character)
                atFieldStart = false
            }
            index = line.index(after: index)
        }
        if inQuotes { throw StaticTokenTableError.unterminatedQuote(record: recordNumber) }
        fields.append(current)
        return fields
    }
}

/// A malformed static token file.
public enum StaticTokenTableError: Error, Equatable, CustomStringConvertible {
    case tooFewColumns(record: Int, found: Int)
    case emptyToken(record: Int)
    case unterminatedQuote(record: Int)

    public var description: String {
        switch self {
        case .tooFewColumns(let record, let found):
            return "token file record \(record) must have at least 3 columns (token, user name, user uid), found \(found)"
        case .emptyToken(let record):
            return "token file record \(record) has an empty token"
        case .unterminatedQuote(let record):
            return "token file record \(record) has an unterminated quoted field"
        }
    }
}
