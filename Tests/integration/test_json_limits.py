"""JSON limits through nginx (issue 16, item 1; contract §1 (v2)): an object of more than
100 members or a body nested deeper than 64 levels is 400 malformed_json, and a hostile
64 KiB body of thousands of members gets that small answer instead of one error per member.
No timed assertions: the figures are in `auth-bench hostile-json`.
"""

from __future__ import annotations

import pytest

from api_client import Api, assert_problem, assert_validation, start_api

LIMIT = 65_536  # bytes, the body limit (contract §1)


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory)


def members(count: int, prefix: str = "é") -> str:
    return ",".join(f'"{prefix}{index}":0' for index in range(count))


def wide_body(prefix: str) -> bytes:
    """`{"é0":0,"é1":0,…}` as close to 64 KiB as whole members get."""
    body, index = b"{", 0
    while True:
        member = f'"{prefix}{index}":0,'.encode()
        if len(body) + len(member) > LIMIT:
            return body[:-1] + b"}"
        body, index = body + member, index + 1


def post(api: Api, body: bytes):
    return api.request("POST", "/api/auth/register", data=body, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("prefix", ["é", "k"])
def test_hostile_wide_body_gets_a_small_400(api, prefix):
    body = wide_body(prefix)
    assert len(body) > LIMIT - 16 and body.count(b":") > 5_000
    r = post(api, body)
    assert_problem(r, 400, "malformed_json")
    assert len(r.content) < 1_024, len(r.content)


def test_one_hundred_members_are_read_and_one_more_is_refused(api):
    r = post(api, ("{" + members(100) + "}").encode())
    expected = {f"é{index}": "unknown_field" for index in range(100)}
    expected |= {"username": "required", "email": "required", "password": "required"}
    assert_validation(r, expected)
    assert len(r.content) < 16_384, len(r.content)  # one entry per field, bounded by the limit
    assert_problem(post(api, ("{" + members(101) + "}").encode()), 400, "malformed_json")
    nested = '{"username":"x","extra":{' + members(101) + "}}"
    assert_problem(post(api, nested.encode()), 400, "malformed_json")


def test_sixty_four_levels_are_read_and_one_more_is_refused(api):
    def body(depth: int) -> bytes:  # the object is level 1, the arrays the rest
        arrays = depth - 1
        return b'{"username":' + b"[" * arrays + b"]" * arrays + b"}"

    assert_validation(post(api, body(64)), {"username": "invalid_type", "email": "required", "password": "required"})
    assert_problem(post(api, body(65)), 400, "malformed_json")
