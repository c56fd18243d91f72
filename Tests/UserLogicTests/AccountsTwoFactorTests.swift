import Testing

@testable import UserCore

/// The accounts core's two-factor sign-in on SQLite and PostgreSQL alike: enrollment, the
/// login's two steps under the lockout, single use of steps, codes and challenges, disabling
/// and new recovery codes.
@Suite struct AccountsTwoFactorTests {
    typealias Setup = AccountsLoginTests.Setup
    static let password = AccountsLoginTests.password
    static let origin = AccountsLoginTests.origin
    /// A time in the middle of a 30-second step.
    static let now: Int64 = 1_800_000_015

    /// `setup`'s user with two-factor sign-in on, confirmed at `now`: its secret and codes.
    static func enroll(_ setup: Setup, at now: Int64 = now) throws -> (secret: TOTP, codes: [String]) {
        let enrollment = try setup.accounts(at: now).startTOTPEnrollment(for: try #require(try setup.stored()))
        let secret = TOTP(secret: try #require(Base32.decode(enrollment.secret)))
        let confirmed = try setup.accounts(at: now).confirmTOTP(
            for: try #require(try setup.stored()), code: secret.code(atStep: TOTP.step(at: now)))
        #expect(confirmed.user.mfaEnabled)
        return (secret, confirmed.recoveryCodes)
    }

    static func challenge(for setup: Setup, id: String = Session.newIdentifier()) -> ChallengeClaims {
        ChallengeClaims(subject: String(setup.user.id), tokenID: id, expiresAt: now + 300)
    }

    @Test(arguments: StoreKind.allCases) func enrollmentNeedsARightCodeAndGivesTenCodes(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let accounts = setup.accounts(at: Self.now)
        let first = try accounts.startTOTPEnrollment(for: setup.user)
        let second = try accounts.startTOTPEnrollment(for: setup.user)
        #expect(first.secret != second.secret)
        #expect(second.secret.count == 32)
        #expect(second.uri.contains("secret=\(second.secret)"))
        let replaced = TOTP(secret: try #require(Base32.decode(first.secret)))
        let current = TOTP(secret: try #require(Base32.decode(second.secret)))
        let step = TOTP.step(at: Self.now)
        // The replaced secret's code and a code two steps away are wrong; the secret stays pending.
        #expect(throws: TwoFactorFailure.codeInvalid) {
            try accounts.confirmTOTP(for: setup.user, code: replaced.code(atStep: step))
        }
        #expect(throws: TwoFactorFailure.codeInvalid) {
            try accounts.confirmTOTP(for: setup.user, code: current.code(atStep: step + 2))
        }
        #expect(try setup.stored()?.mfaEnabled == false)
        let confirmed = try accounts.confirmTOTP(for: setup.user, code: current.code(atStep: step + 1))
        #expect(confirmed.user.mfaEnabled)
        #expect(Set(confirmed.recoveryCodes).count == 10)
        #expect(confirmed.recoveryCodes.allSatisfy { RecoveryCodes.normalized($0) == $0 && $0.count == 11 })
        #expect(throws: TwoFactorFailure.notPending) {
            try accounts.confirmTOTP(for: confirmed.user, code: current.code(atStep: step))
        }
        #expect(throws: TwoFactorFailure.alreadyEnabled) { try accounts.startTOTPEnrollment(for: confirmed.user) }
        // Sealed: the stored text is not the secret.
        let stored = try #require(try setup.store.totpSecret(userID: setup.user.id))
        #expect(!stored.sealed.contains(second.secret))
    }

    @Test(arguments: StoreKind.allCases) func theRightPasswordAsksForTheSecondStepAndRecordsNothing(kind: StoreKind)
        throws
    {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        _ = try Self.enroll(setup)
        _ = try? setup.logIn("wrong password", at: Self.now)
        #expect(throws: LoginFailure.secondFactorRequired(userID: setup.user.id)) {
            try setup.logIn(Self.password, at: Self.now)
        }
        let stored = try #require(try setup.stored())
        // Neither a failure nor a reset: the wrong password's count stays; no login recorded.
        #expect(stored.failedLogins == 1)
        #expect(stored.lastLoginAt == nil)
        #expect(try setup.store.liveSessions(userID: setup.user.id, now: Self.now).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func aCodeCompletesTheLoginOnceAndResetsTheCount(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (secret, _) = try Self.enroll(setup)
        _ = try? setup.logIn("wrong password", at: Self.now)
        let next = secret.code(atStep: TOTP.step(at: Self.now) + 1)
        let challenge = Self.challenge(for: setup)
        let loggedIn = try setup.accounts(at: Self.now).completeLogin(challenge, with: .code(next), from: Self.origin)
        #expect(loggedIn.user.failedLogins == 0)
        #expect(loggedIn.user.lastLoginAt == Self.now)
        #expect(try setup.store.session(id: loggedIn.session.id)?.userID == setup.user.id)
        // The same challenge again, even with an unused recovery code: used.
        #expect(throws: SecondStepFailure.challengeInvalid) {
            try setup.accounts(at: Self.now).completeLogin(challenge, with: .code(next), from: Self.origin)
        }
        // The same step with a new challenge: a replay, counted.
        #expect(throws: SecondStepFailure.codeInvalid(userID: setup.user.id, lockedUntil: nil)) {
            try setup.accounts(at: Self.now).completeLogin(
                Self.challenge(for: setup), with: .code(next), from: Self.origin)
        }
        #expect(try setup.stored()?.failedLogins == 1)
        // The confirming step was used too.
        #expect(throws: SecondStepFailure.codeInvalid(userID: setup.user.id, lockedUntil: nil)) {
            try setup.accounts(at: Self.now).completeLogin(
                Self.challenge(for: setup), with: .code(secret.code(atStep: TOTP.step(at: Self.now))),
                from: Self.origin)
        }
    }

    @Test(arguments: StoreKind.allCases) func recoveryCodesWorkOnceEachInAnyCase(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (_, codes) = try Self.enroll(setup)
        let typed = " " + String(codes[3].uppercased().filter { $0 != "-" }) + " "
        _ = try setup.accounts(at: Self.now).completeLogin(
            Self.challenge(for: setup), with: .recoveryCode(typed), from: Self.origin)
        #expect(throws: SecondStepFailure.codeInvalid(userID: setup.user.id, lockedUntil: nil)) {
            try setup.accounts(at: Self.now).completeLogin(
                Self.challenge(for: setup), with: .recoveryCode(codes[3]), from: Self.origin)
        }
        _ = try setup.accounts(at: Self.now).completeLogin(
            Self.challenge(for: setup), with: .recoveryCode(codes[4]), from: Self.origin)
        #expect(try setup.store.unusedRecoveryCodeHashes(userID: setup.user.id).count == 8)
    }

    @Test(arguments: StoreKind.allCases) func wrongCodesLockTheAccount(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (secret, codes) = try Self.enroll(setup)
        let id = setup.user.id
        for proof in [SecondFactorProof.code("000000"), .recoveryCode("zzzzz-zzzzz")] {
            #expect(throws: SecondStepFailure.codeInvalid(userID: id, lockedUntil: nil)) {
                try setup.accounts(at: Self.now).completeLogin(
                    Self.challenge(for: setup), with: proof, from: Self.origin)
            }
        }
        #expect(throws: SecondStepFailure.codeInvalid(userID: id, lockedUntil: Self.now + 60)) {
            try setup.accounts(at: Self.now).completeLogin(
                Self.challenge(for: setup), with: .code("123"), from: Self.origin)
        }
        // Locked: even a right code is not checked.
        let right = secret.code(atStep: TOTP.step(at: Self.now) + 1)
        for proof in [SecondFactorProof.code(right), .recoveryCode(codes[0])] {
            #expect(throws: SecondStepFailure.refused(userID: id, .locked(until: Self.now + 60))) {
                try setup.accounts(at: Self.now).completeLogin(
                    Self.challenge(for: setup), with: proof, from: Self.origin)
            }
        }
        #expect(try setup.store.unusedRecoveryCodeHashes(userID: id).count == 10)
    }

    @Test(arguments: StoreKind.allCases) func aDisabledAccountIsRefusedAfterTheCode(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (_, codes) = try Self.enroll(setup)
        var changes = UserChanges()
        changes.active = false
        _ = try setup.store.updateUser(id: setup.user.id, changes, now: Self.now)
        #expect(throws: SecondStepFailure.refused(userID: setup.user.id, .disabled)) {
            try setup.accounts(at: Self.now).completeLogin(
                Self.challenge(for: setup), with: .recoveryCode(codes[0]), from: Self.origin)
        }
        #expect(try setup.stored()?.failedLogins == 0)
        // A refusal spends nothing: the code and the challenge are still unused.
        #expect(try setup.store.unusedRecoveryCodeHashes(userID: setup.user.id).count == 10)
        #expect(!(try setup.store.isChallengeUsed(tokenID: "kept")))
        _ = try? setup.accounts(at: Self.now).completeLogin(
            Self.challenge(for: setup, id: "kept"), with: .recoveryCode(codes[1]), from: Self.origin)
        #expect(!(try setup.store.isChallengeUsed(tokenID: "kept")))
    }

    @Test(arguments: StoreKind.allCases) func anUnverifiedAddressIsRefusedAfterTheCodeWhenRequired(kind: StoreKind)
        throws
    {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (_, codes) = try Self.enroll(setup)
        var rules = AccountsLoginTests.rules
        rules.emailVerification = .required
        let accounts = Accounts(store: setup.store, passwords: setup.passwords, rules: rules, now: Self.now)
        #expect(throws: SecondStepFailure.refused(userID: setup.user.id, .emailNotVerified)) {
            try accounts.completeLogin(Self.challenge(for: setup), with: .recoveryCode(codes[0]), from: Self.origin)
        }
    }

    @Test(arguments: StoreKind.allCases) func aChallengeIsVoidOnceTwoFactorIsOffOrTheCodesAreGone(kind: StoreKind)
        throws
    {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (_, codes) = try Self.enroll(setup)
        let accounts = setup.accounts(at: Self.now)
        // Every recovery code used: the next one is wrong (and costs a dummy hash all the same).
        for code in codes {
            _ = try accounts.completeLogin(Self.challenge(for: setup), with: .recoveryCode(code), from: Self.origin)
        }
        let dummies = setup.passwords.counter.dummyCount
        #expect(throws: SecondStepFailure.codeInvalid(userID: setup.user.id, lockedUntil: nil)) {
            try accounts.completeLogin(Self.challenge(for: setup), with: .recoveryCode(codes[0]), from: Self.origin)
        }
        #expect(setup.passwords.counter.dummyCount == dummies + 1)
        // Turned off by an admin between the two steps: the challenge is worth nothing.
        let challenge = Self.challenge(for: setup)
        _ = try accounts.removeTOTP(ofUser: setup.user.id)
        #expect(throws: SecondStepFailure.challengeInvalid) {
            try accounts.completeLogin(challenge, with: .code("123456"), from: Self.origin)
        }
    }

    @Test(arguments: StoreKind.allCases) func aUsedChallengeOutlivesItsExpiryByTheLongestLeeway(kind: StoreKind) throws
    {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (_, codes) = try Self.enroll(setup)
        let challenge = Self.challenge(for: setup, id: "once")
        _ = try setup.accounts(at: Self.now).completeLogin(challenge, with: .recoveryCode(codes[0]), from: Self.origin)
        _ = try setup.store.purgeExpired(now: challenge.expiresAt + 30, accessTokenLifetime: 900)
        #expect(try setup.store.isChallengeUsed(tokenID: "once"))
    }

    @Test(arguments: StoreKind.allCases) func disablingAndNewCodesNeedTheCurrentPassword(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (_, codes) = try Self.enroll(setup)
        let accounts = setup.accounts(at: Self.now)
        let user = try #require(try setup.stored())
        #expect(throws: CurrentPasswordFailure.incorrect(lockedUntil: nil)) {
            try accounts.renewRecoveryCodes(of: user, currentPassword: "wrong")
        }
        let renewed = try accounts.renewRecoveryCodes(of: user, currentPassword: Self.password)
        #expect(Set(renewed).isDisjoint(with: codes))
        #expect(throws: SecondStepFailure.codeInvalid(userID: user.id, lockedUntil: nil)) {
            try accounts.completeLogin(Self.challenge(for: setup), with: .recoveryCode(codes[0]), from: Self.origin)
        }
        // The right password of the renewal cleared the count: the used code and this are two.
        #expect(throws: CurrentPasswordFailure.incorrect(lockedUntil: nil)) {
            try accounts.disableTOTP(of: user, currentPassword: "wrong")
        }
        #expect(try setup.stored()?.failedLogins == 2)
        let disabled = try accounts.disableTOTP(of: user, currentPassword: Self.password)
        #expect(!disabled.mfaEnabled)
        #expect(try setup.store.totpSecret(userID: user.id) == nil)
        #expect(throws: TwoFactorFailure.notEnabled) {
            try accounts.disableTOTP(of: disabled, currentPassword: "wrong")
        }
        #expect(throws: TwoFactorFailure.notEnabled) {
            try accounts.renewRecoveryCodes(of: disabled, currentPassword: Self.password)
        }
        // A challenge issued before is worth nothing now.
        #expect(throws: SecondStepFailure.challengeInvalid) {
            try accounts.completeLogin(Self.challenge(for: setup), with: .recoveryCode(renewed[0]), from: Self.origin)
        }
        _ = try setup.logIn(Self.password, at: Self.now)
    }

    @Test(arguments: StoreKind.allCases) func anAdminRemovalFollowsTheCallersRule(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        _ = try Self.enroll(setup)
        let accounts = setup.accounts(at: Self.now)
        struct Refused: Error {}
        #expect(throws: Refused.self) { try accounts.removeTOTP(ofUser: setup.user.id) { _ in throw Refused() } }
        #expect(try setup.stored()?.mfaEnabled == true)
        let update = try accounts.removeTOTP(ofUser: setup.user.id)
        #expect(update.before.mfaEnabled && !update.after.mfaEnabled)
        let again = try accounts.removeTOTP(ofUser: setup.user.id)
        #expect(again.before == again.after)
        #expect(throws: AdministrationFailure.userNotFound) { try accounts.removeTOTP(ofUser: 999_999) }
    }
}
