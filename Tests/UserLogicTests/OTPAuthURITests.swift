import Testing

@testable import UserCore

@Suite struct OTPAuthURITests {
    @Test func theLabelAndTheIssuerArePercentEncoded() {
        #expect(
            OTPAuthURI.totp(issuer: "Example Co: Auth", account: "alice smith@example.com", secret: "JBSWY3DPEHPK3PXP")
                == "otpauth://totp/Example%20Co%3A%20Auth:alice%20smith%40example.com?secret=JBSWY3DPEHPK3PXP"
                + "&issuer=Example%20Co%3A%20Auth&algorithm=SHA1&digits=6&period=30")
    }

    @Test func unreservedCharactersStayAndOthersAreUTF8Escapes() {
        #expect(
            OTPAuthURI.totp(issuer: "auth-fcgi", account: "Zoë_日本.a~b", secret: "MZXW6YTB")
                == "otpauth://totp/auth-fcgi:Zo%C3%AB_%E6%97%A5%E6%9C%AC.a~b?secret=MZXW6YTB"
                + "&issuer=auth-fcgi&algorithm=SHA1&digits=6&period=30")
        #expect(OTPAuthURI.percentEncoded("a:b/c?d&e=f+g%h#i") == "a%3Ab%2Fc%3Fd%26e%3Df%2Bg%25h%23i")
    }
}
