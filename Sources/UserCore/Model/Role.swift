/// A user's role (contract §1).
public enum Role: String, Sendable, CaseIterable {
    case user = "USER"
    case admin = "ADMIN"
}
