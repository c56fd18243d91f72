"""Turning TOTP on through nginx: POST /api/auth/mfa/totp and /mfa/totp/confirm (contract
§3 "Two-factor sign-in with TOTP", §5 precedence; issue 18). The secret and the
otpauth URI are read with an authenticator's rules (pyotp, urllib), the codes computed
by pyotp."""

import base64
import math
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urlsplit

import pyotp
import pytest

from api_client import ISSUER, assert_json, assert_problem, assert_unauthorized, assert_validation
from mfa_support import (
    code_at, code_of_step, confirm, enroll, fresh_code, login_first_step, second_step, start_enrolment, steady_step,
    wrong_code,
)
from qr_support import decode_qr_svg
from users_support import api, start_users_api  # noqa: F401 (fixture)

SVG_NS = "{http://www.w3.org/2000/svg}"
RECOVERY_CODES = 10

# The smallest usual alphabets a recovery code could be drawn from, for its entropy.
ALPHABETS = [
    "0123456789",
    "0123456789abcdef",
    "abcdefghijklmnopqrstuvwxyz234567",  # RFC 4648 base32
    "0123456789abcdefghjkmnpqrstvwxyz",  # Crockford's base32
    "0123456789abcdefghijklmnopqrstuvwxyz",
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
]


def mfa_enabled(api, token) -> bool:
    return api.whoami_ok(token)["mfa_enabled"]


def assert_secret(secret: str) -> None:
    """160 bits in base32 without padding: 32 characters of A–Z and 2–7."""
    assert isinstance(secret, str) and re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    assert len(base64.b32decode(secret)) == 20


def assert_otpauth_uri(uri: str, secret: str, issuer: str, username: str) -> None:
    """otpauth://totp/{issuer}:{username}?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30,
    the issuer percent-encoded (no raw space, colon or '+') in the label and the parameter."""
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp"), uri
    assert " " not in uri, uri
    label = parts.path.lstrip("/")
    assert label.count(":") == 1, f"the label's issuer must not hold a raw colon: {uri}"
    label_issuer, label_user = label.split(":")
    assert (unquote(label_issuer), unquote(label_user)) == (issuer, username), uri
    params = {}
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        assert name not in params, f"{name} twice in {uri}"
        params[name] = unquote(value)
    assert params == {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": "6", "period": "30"}, uri
    # An authenticator reading the URI computes the codes the service expects.
    totp = pyotp.parse_uri(uri)
    assert (totp.issuer, totp.name, totp.digits, totp.interval) == (issuer, username, 6, 30), uri
    assert totp.at(1_000_000) == pyotp.TOTP(secret).at(1_000_000)


def assert_qr_svg(document: str, text: str) -> None:
    """An SVG document whose QR code a reader scans as `text`."""
    assert ET.fromstring(document).tag == SVG_NS + "svg", document[:200]
    assert decode_qr_svg(document) == text


def assert_recovery_codes(codes) -> None:
    """10 distinct codes of one shape (letters and digits in dash-separated groups), each
    with ≥ 50 bits: its characters × log2 of the smallest usual alphabet holding them all."""
    assert isinstance(codes, list) and len(codes) == RECOVERY_CODES, codes
    assert all(isinstance(c, str) and re.fullmatch(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*", c) for c in codes), codes
    assert len(set(codes)) == RECOVERY_CODES, codes
    shape = {re.sub(r"[A-Za-z0-9]", "x", c) for c in codes}
    assert len(shape) == 1, codes
    symbols = set("".join(codes).replace("-", ""))
    alphabet = next(a for a in ALPHABETS if symbols <= set(a))
    bits = len(codes[0].replace("-", "")) * math.log2(len(alphabet))
    assert bits >= 50, f"{codes[0]!r}: {bits:.1f} bits from an alphabet of {len(alphabet)}"


def test_start_gives_a_secret_an_otpauth_uri_and_a_qr_code(api):
    member = api.new_member()
    body = start_enrolment(api, member.token)
    assert_secret(body["secret"])
    assert_otpauth_uri(body["otpauth_uri"], body["secret"], ISSUER, member.account.username)
    assert_qr_svg(body["qr_svg"], body["otpauth_uri"])


@pytest.mark.parametrize("env, issuer", [
    ({"JWT_ISSUER": "issuer.example"}, "issuer.example"),
    ({"JWT_ISSUER": "issuer.example", "MFA_ISSUER": "Acme Corp: Sign-in"}, "Acme Corp: Sign-in"),
], ids=["default-is-jwt-issuer", "mfa-issuer-percent-encoded"])
def test_the_issuer_comes_from_the_settings(stack_factory, env, issuer):
    api = start_users_api(stack_factory, **env)
    member = api.new_member()
    body = start_enrolment(api, member.token)
    assert_otpauth_uri(body["otpauth_uri"], body["secret"], issuer, member.account.username)
    assert_qr_svg(body["qr_svg"], body["otpauth_uri"])


def test_a_pending_enrolment_changes_nothing(api):
    member = api.new_member()
    start_enrolment(api, member.token)
    assert mfa_enabled(api, member.token) is False
    pair = api.login_as(member.account)
    assert pair.body["user"]["mfa_enabled"] is False


def test_a_second_start_replaces_the_pending_secret(api):
    member = api.new_member()
    old = start_enrolment(api, member.token)["secret"]
    new = start_enrolment(api, member.token)["secret"]
    assert_secret(new)
    assert new != old
    accepted_now = {code_at(new, k) for k in (-1, 0, 1)}
    old_code = next(c for c in (code_at(old, k) for k in (0, 1, -1)) if c not in accepted_now)
    assert_problem(confirm(api, member.token, old_code), 400, "mfa_code_invalid")
    assert_recovery_codes(assert_json(confirm(api, member.token, fresh_code(new)), 200)["recovery_codes"])


def test_a_wrong_code_leaves_the_secret_pending(api):
    member = api.new_member()
    secret = start_enrolment(api, member.token)["secret"]
    assert_problem(confirm(api, member.token, wrong_code(secret)), 400, "mfa_code_invalid")
    assert mfa_enabled(api, member.token) is False
    body = assert_json(confirm(api, member.token, fresh_code(secret)), 200)
    assert body["user"]["mfa_enabled"] is True


def test_a_code_of_one_step_either_side_is_accepted(api):
    member = api.new_member()
    secret = start_enrolment(api, member.token)["secret"]
    step = steady_step()
    for far in (step - 2, step + 2):
        assert_problem(confirm(api, member.token, code_of_step(secret, far)), 400, "mfa_code_invalid")
    assert_json(confirm(api, member.token, code_of_step(secret, step - 1)), 200)
    mfa_token = login_first_step(api, member.account)
    assert_json(second_step(api, mfa_token, code=code_of_step(secret, step + 1)), 200)


def test_confirm_turns_it_on_and_returns_ten_recovery_codes(api):
    member = api.new_member()
    secret = start_enrolment(api, member.token)["secret"]
    body = assert_json(confirm(api, member.token, fresh_code(secret)), 200)
    assert set(body) == {"recovery_codes", "user"}, body
    assert_recovery_codes(body["recovery_codes"])
    assert body["user"]["id"] == member.id and body["user"]["mfa_enabled"] is True
    assert mfa_enabled(api, member.token) is True
    login_first_step(api, member.account)


def test_confirm_without_a_pending_secret_is_a_conflict_before_the_code(api):
    member = api.new_member()
    # No secret to check a code against: 409 mfa_not_pending, not 400 mfa_code_invalid.
    assert_problem(confirm(api, member.token, "123456"), 409, "mfa_not_pending")
    # Validation still comes before the conflict (§5: 422 before 409).
    assert_validation(confirm(api, member.token, 123456), {"code": "invalid_type"})
    assert mfa_enabled(api, member.token) is False


def test_already_enabled(api):
    member = api.new_member()
    secret, _ = enroll(api, member.pair)
    assert_problem(api.post("/api/auth/mfa/totp", token=member.token), 409, "mfa_already_enabled")
    # Nothing is pending once it is on, so a right code has nothing to confirm.
    assert_problem(confirm(api, member.token, code_at(secret, 1)), 409, "mfa_not_pending")
    assert mfa_enabled(api, member.token) is True


def test_both_need_an_access_token(api):
    assert_unauthorized(api.post("/api/auth/mfa/totp"), "token_missing", presented=False)
    assert_unauthorized(api.post("/api/auth/mfa/totp/confirm", {"code": "123456"}), "token_missing",
                        presented=False)
    member = api.new_member()
    assert_unauthorized(api.post("/api/auth/mfa/totp", token=member.pair.refresh), "token_wrong_type")


def test_confirm_validation(api):
    member = api.new_member()
    secret = start_enrolment(api, member.token)["secret"]

    def post(body):
        return api.post("/api/auth/mfa/totp/confirm", body, token=member.token)

    assert_validation(post({}), {"code": "required"})
    assert_validation(post({"code": int(code_at(secret))}), {"code": "invalid_type"})
    assert_validation(post({"code": [code_at(secret)]}), {"code": "invalid_type"})
    assert_validation(post({"code": code_at(secret), "secret": secret}), {"secret": "unknown_field"})
    assert mfa_enabled(api, member.token) is False


def test_the_confirming_code_counts_as_used(api):
    member = api.new_member()
    secret = start_enrolment(api, member.token)["secret"]
    code = fresh_code(secret)
    assert_json(confirm(api, member.token, code), 200)
    mfa_token = login_first_step(api, member.account)
    assert_unauthorized(second_step(api, mfa_token, code=code), "mfa_code_invalid", presented=False)
    assert_json(second_step(api, mfa_token, code=fresh_code(secret)), 200)
