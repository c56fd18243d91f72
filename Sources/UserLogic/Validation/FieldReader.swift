import UserCore

/// Reads the fields of a JSON request body and collects every problem at once, so one 422
/// names all offending fields (contract §1: one entry per field).
struct FieldReader {
    private let object: JSONObject
    private(set) var errors: [FieldError] = []

    /// Every member not in `allowed` is reported as `unknown_field`.
    init(_ object: JSONObject, allowed: Set<String>) {
        self.object = object
        for name in object.names where !allowed.contains(name) {
            report(name, .unknownField, "This field is not accepted here.")
        }
    }

    func contains(_ name: String) -> Bool { object[name] != nil }

    mutating func report(_ field: String, _ code: FieldErrorCode, _ message: String) {
        guard !errors.contains(where: { $0.field == field }) else { return }
        errors.append(FieldError(field: field, code: code, message: message))
    }

    mutating func report(_ error: FieldError?) {
        if let error { report(error.field, error.code, error.message) }
    }

    /// A string that must be present: missing → `required`, another type → `invalid_type`.
    mutating func requiredString(_ name: String) -> String? {
        guard let value = object[name] else {
            report(name, .required, "This field is required.")
            return nil
        }
        return string(name, value)
    }

    /// A string that may be absent (nil). Null is a type error unless the field is nullable.
    mutating func optionalString(_ name: String) -> String? {
        object[name].flatMap { string(name, $0) }
    }

    /// A field that may be absent (`.absent`), null (`.null`) or a string.
    mutating func nullableString(_ name: String) -> Presence<String> {
        switch object[name] {
        case nil: return .absent
        case .null?: return .null
        case let value?: return string(name, value).map(Presence.value) ?? .absent
        }
    }

    mutating func optionalBool(_ name: String) -> Bool? {
        guard let value = object[name] else { return nil }
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
