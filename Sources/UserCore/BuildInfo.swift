internal import CBuildInfo

/// What `auth-fcgi --version`, the help header, the Debian package and the metrics' build
/// info report.
public enum BuildInfo {
    /// The one place the version is defined: `make deb` asks the built binary for it.
    public static let version = "2.0.0"

    /// The abbreviated git commit of the checkout the binary was built from, with `-dirty`
    /// for uncommitted changes; nil when built outside a checkout (a source tarball).
    public static let commit: String? = {
        let commit = String(cString: auth_fcgi_build_commit())
        return commit.isEmpty ? nil : commit
    }()

    /// `2.0.0 (commit 1a2b3c4)`, or `2.0.0` without a commit.
    public static var description: String {
        commit.map { "\(version) (commit \($0))" } ?? version
    }
}
