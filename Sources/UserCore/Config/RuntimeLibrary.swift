internal import CLazyLibraries

/// A shared library that is opened when the configuration needs it instead of being linked
/// (see CLazyLibraries): libpq for a PostgreSQL `DATABASE_URL`, libcurl for an SMTP
/// `MAIL_URL`, libqrencode for the QR code of a TOTP enrolment. A process that uses none of
/// them never loads them.
///
/// Whatever configures a use of one calls `require` first, so a missing package stops the
/// start with a message naming it; a library function called without that check would
/// abort the process.
package struct RuntimeLibrary: Sendable {
    /// The file `dlopen` looks for.
    let soname: String
    /// The Debian package that installs it.
    let package: String
    /// nil once the library is loaded (it is loaded on the first call), else why it can't
    /// be: `dlopen`'s or `dlsym`'s message.
    let loadFailure: @Sendable () -> String?

    package static let libpq = RuntimeLibrary(soname: "libpq.so.5", package: "libpq5") {
        lazy_libpq_error().map { String(cString: $0) }
    }

    static let libcurl = RuntimeLibrary(soname: "libcurl.so.4", package: "libcurl4") {
        lazy_libcurl_error().map { String(cString: $0) }
    }

    package static let libqrencode = RuntimeLibrary(soname: "libqrencode.so.4", package: "libqrencode4") {
        lazy_libqrencode_error().map { String(cString: $0) }
    }

    /// nil once the library is loaded, else a message saying that `feature` needs it and
    /// what to install.
    package func problem(for feature: String) -> String? {
        guard let failure = loadFailure() else { return nil }
        return "\(feature) needs \(soname), which can't be loaded: \(failure) (install the Debian package \(package))"
    }

    /// Loads the library, or throws a `ConfigError` for `variable` that names the package.
    func require(by variable: String, for feature: String) throws(ConfigError) {
        if let problem = problem(for: feature) { throw ConfigError(variable, problem) }
    }
}
