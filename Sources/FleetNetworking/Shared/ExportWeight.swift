import FleetAPI
import KubeModel

// The `networking.fleet.azure.com/weight` annotation of a ServiceExport (spec §1.4): absent means
// 1; otherwise an integer in [0, 1000], with the reference's error texts.

public enum ExportWeight {
    public static let defaultWeight: Int64 = 1
    public static let range: ClosedRange<Int64> = 0...1000

    public struct InvalidWeight: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The export weight of an object with these annotations.
    public static func parse(_ annotations: [String: String]?) throws(InvalidWeight) -> Int64 {
        guard let raw = annotations?[FleetAnnotations.weight] else { return defaultWeight }
        guard let value = goAtoi(raw) else {
            throw InvalidWeight(description: "the weight annotation is not a valid integer: \(raw)")
        }
        guard range.contains(value) else {
            throw InvalidWeight(description: "the weight annotation is not in the range [0, 1000]: \(raw)")
        }
        return value
    }

    /// Go's `strconv.Atoi`: optional sign, decimal digits only.
    static func goAtoi(_ text: String) -> Int64? {
        var digits = Substring(text)
        var negative = false
        if let first = digits.first, first == "+" || first == "-" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else {
            return nil
        }
        return negative ? -value : value
    }
}
