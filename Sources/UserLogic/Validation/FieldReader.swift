import UserCore

/// Reads the fields of a JSON request body and collects every problem at once, so one 422
/// names all offending fields (contract §1: one entry per field).
///
/// Linear in the body's size: members are looked up in a dictionary built once, and a field
/// already reported is found in a set, not by scanning `errors`.
struct FieldReader {
    private let values: [String: JSONValue]
    private(set) var errors: [FieldError] = []
    /// The fields named in `errors`: one entry per field, the first report wins.
    private var reported: Set<String> = []

    /// Every member not in `allowed` is reported as `unknown_field`.
    init(_ object: JSONObject, allowed: Set<String>) {
        // Parsed objects have unique names; one built by hand keeps its first member, as
        // `JSONObject`'s subscript does.
        values = Dictionary(object.members.lazy.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        for name in object.names where !allowed.contains(name) {
            report(name, .unknownField, "This field is not accepted here.")
        }
    }

    func contains(_ name: String) -> Bool { values[name] != nil }

    mutating func report(_ field: String, _ code: FieldErrorCode, _ message: String) {
        guard reported.insert(field).inserted else { return }
        errors.append(FieldError(field: field, code: code, message: message))
    }

    mutating func report(_ error: FieldError?) {
        if let error { report(error.field, error.code, error.message) }
    }

    /// A string that must be present: missing → `required`, another type → `invalid_type`.
    mutating func requiredString(_ name: String) -> String? {
        guard let value = values[name] else {
            report(name, .required, "This field is required.")
            return nil
        }
        return string(name, value)
    }

    /// A string that may be absent (nil). Null is a type error unless the field is nullable.
    mutating func optionalString(_ name: String) -> String? {
        values[name].flatMap { string(name, $0) }
    }

    /// A field that may be absent (`.absent`), null (`.null`) or a string.
    mutating func nullableString(_ name: String) -> Presence<String> {
        switch values[name] {
        case nil: return .absent
        case .null?: return .null
        case let value?: return string(name, value).map(Presence.value) ?? .absent
        }
    }

    mutating func optionalBool(_ name: String) -> Bool? {
        guard let value = values[name] else { return nil }
        guard case .bool(let flag) = value else {
            report(name, .invalidType, "Expected a boolean, got \(value.typeName).")
            return nil
        }
        return flag
    }

    private mutating func string(_ name: String, _ value: JSONValue) -> String? {
        guard case .string(let text) = value else {
            report(name, .invalidType, "Expected a string, got \(value.typeName).")
            return nil
        }
        return text
    }

    /// Throws the 422 when anything was reported.
    func finish() throws(APIError) {
        if !errors.isEmpty { throw APIError.validationFailed(errors) }
    }
}

/// A member that may be missing, explicitly null, or set.
enum Presence<Value> {
    case absent
    case null
    case value(Value)

    /// nil for absent; `.some(nil)` for null.
    var update: Value?? {
        switch self {
        case .absent: nil
        case .null: .some(nil)
        case .value(let value): .some(value)
        }
    }
}
