/// Serialises `JSONValue`s to compact UTF-8 JSON (see `JSONOutput` for the format).
public enum JSONWriter {
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var output = JSONOutput()
        output.value(value)
        return output.bytes
    }
}

extension JSONOutput {
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let figure): number(figure)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.name)
                self.value(member.value)
            }
            endObject()
        }
    }
}
