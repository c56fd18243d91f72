import CFastCGI
import UserLogic

/// The params of one FastCGI request, looked up in libfcgi's array without copying the rest.
struct FastCGIParameters: CGIParameters {
    let environment: FCGX_ParamArray?

    func value(of name: StaticString) -> String? {
        let cName = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
        return FCGX_GetParam(cName, environment).map { String(cString: $0) }
    }
}
