"""GET /api/users through nginx: admin only, pagination, q, filters, sorts, query
validation, locked_until (contract §3 "Users", §5 "Users" and "Validation").

One stack for the module; each test finds only its own users again through a `q` marker,
so no test depends on what another one created.
"""

import pytest

from api_client import assert_json, assert_problem, assert_unauthorized, assert_validation, unique
from users_support import ADMIN_USER_KEYS, USER_KEYS, admin, api, tag  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def member(api):
    return api.new_member()


def seed(api, admin, marker, names, **fields):
    """Users whose usernames are `<name>-<marker>`, created by the admin; their user objects."""
    return [api.created(admin.token, username=f"{n}-{marker}", email=f"{n.lower()}.{marker}@example.com", **fields)
            for n in names]


# --- who may list -----------------------------------------------------------------------

def test_list_needs_admin(api, admin, member):
    assert_unauthorized(api.list_users(None), "token_missing", presented=False)
    assert_problem(api.list_users(member.token), 403, "forbidden")
    # Permission (step 4) comes before query validation (step 5).
    assert_problem(api.list_users(member.token, {"per_page": 0, "sort": "bogus"}), 403, "forbidden")
    assert api.listing(admin.token)["total"] >= 2


def test_list_of_disabled_admin_is_account_disabled(api, admin):
    other = api.new_admin()
    api.listing(other.token)
    # An admin may disable itself while another active admin exists.
    assert api.patch_user(other.token, other.id, {"active": False}).status_code == 200
    assert_problem(api.list_users(other.token), 403, "account_disabled")


# --- pagination -----------------------------------------------------------------------

def test_defaults_and_item_shape(api, admin):
    body = api.listing(admin.token)
    assert body["page"] == 1 and body["per_page"] == 20
    assert 1 <= len(body["items"]) <= 20
    assert body["pages"] == -(-body["total"] // 20)
    for user in body["items"]:
        assert set(user) == ADMIN_USER_KEYS, user
    ids = [u["id"] for u in body["items"]]
    assert ids == sorted(ids)


def test_pagination(api, admin):
    m = tag()
    users = seed(api, admin, m, [f"p{i}" for i in range(7)])
    ids = [u["id"] for u in users]
    pages = []
    for page in (1, 2, 3):
        body = api.listing(admin.token, {"q": m, "per_page": 3, "page": page})
        assert (body["page"], body["per_page"], body["total"], body["pages"]) == (page, 3, 7, 3), body
        pages.append([u["id"] for u in body["items"]])
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sum(pages, []) == sorted(ids)
    past = api.listing(admin.token, {"q": m, "per_page": 3, "page": 4})
    assert past["items"] == [] and (past["page"], past["total"], past["pages"]) == (4, 7, 3)
    far = api.listing(admin.token, {"q": m, "page": 1000})
    assert far["items"] == [] and far["total"] == 7 and far["pages"] == 1
    for per_page, pages_count in ((1, 7), (7, 1), (100, 1)):
        body = api.listing(admin.token, {"q": m, "per_page": per_page})
        assert body["pages"] == pages_count and len(body["items"]) == min(per_page, 7)


def test_any_page_past_the_end_is_empty(api, admin):
    # contract: page >= 1; a page past the end is 200 with items [], however far
    m = tag()
    seed(api, admin, m, ["far"])
    body = api.listing(admin.token, {"q": m, "page": 2**31})
    assert body["items"] == [] and body["page"] == 2**31 and body["total"] == 1 and body["pages"] == 1


def test_empty_result_has_zero_pages(api, admin):
    body = api.listing(admin.token, {"q": "no-such-user-" + tag()})
    assert body == {"items": [], "page": 1, "per_page": 20, "total": 0, "pages": 0}
    body = api.listing(admin.token, {"q": "no-such-user-" + tag(), "page": 3, "per_page": 5})
    assert body == {"items": [], "page": 3, "per_page": 5, "total": 0, "pages": 0}


# --- q ----------------------------------------------------------------------------------

def test_q_matches_each_field_case_insensitively(api, admin):
    m = tag()
    target = api.created(admin.token, username=f"Uname{m}x", email=f"mail{m}y@Example.COM",
                         first_name=f"First{m}z", last_name=f"Last{m}w")
    decoy = seed(api, admin, m, ["decoy"])[0]  # shares the marker, not the field parts below
    for q in (f"uname{m}x", f"UNAME{m.upper()}X", f"MAIL{m}Y@example", f"first{m}Z", f"LAST{m}W",
              f"{m}x", f"{m}y@exa", f"{m}z", f"{m}w"):
        assert api.list_ids(admin.token, {"q": q}) == [target["id"]], q
    assert sorted(api.list_ids(admin.token, {"q": m})) == sorted([target["id"], decoy["id"]])


def test_q_non_ascii(api, admin):
    m = tag()
    zoe = api.created(admin.token, first_name=f"Zoë{m}", last_name=f"Ärgerlich{m}")
    for q in (f"zoë{m}", f"ZOË{m.upper()}", f"Zoë{m}", f"ë{m}", f"ärgerlich{m}", f"ÄRGERLICH{m.upper()}"):
        body = api.listing(admin.token, {"q": q})
        assert [u["id"] for u in body["items"]] == [zoe["id"]], (q, body)
        assert body["items"][0]["first_name"] == f"Zoë{m}"
    assert api.list_ids(admin.token, {"q": f"zoe{m}"}) == []


def test_q_follows_updates(api, admin):
    m = tag()
    user = api.created(admin.token, first_name=f"Before{m}")
    assert api.list_ids(admin.token, {"q": f"before{m}"}) == [user["id"]]
    assert_json(api.patch_user(admin.token, user["id"], {"first_name": f"Après{m}", "email": f"NEW{m}@example.com"}),
                200)
    assert api.list_ids(admin.token, {"q": f"before{m}"}) == []
    assert api.list_ids(admin.token, {"q": f"APRÈS{m}"}) == [user["id"]]
    assert api.list_ids(admin.token, {"q": f"new{m}@"}) == [user["id"]]
    assert_json(api.patch_user(admin.token, user["id"], {"first_name": None}), 200)
    assert api.list_ids(admin.token, {"q": f"après{m}"}) == []


def test_q_with_spaces(api, admin):
    m = tag()
    user = api.created(admin.token, last_name=f"van Dyke {m}")
    for query in (f"q=VAN%20DYKE%20{m}", f"q=van+dyke+{m}", f"q=e%20{m}"):
        assert api.list_ids(admin.token, query) == [user["id"]], query


def test_q_does_not_match_across_fields(api, admin):
    m = tag()
    api.created(admin.token, username=f"left{m}", email=f"right{m}@example.com", first_name="First", last_name="Last")
    # "substring of username, email, first or last name": of one of them, not of their concatenation
    for q in (f"left{m}\x1fright{m}", f"{m}\x1fr", f"example.com\x1ffirst", "first\x1flast", f"{m}right{m}",
              f"example.comfirst"):
        assert api.list_ids(admin.token, {"q": q}) == [], repr(q)


def test_q_is_a_literal_substring(api, admin):
    m = tag()
    seed(api, admin, m, ["abc", "a_c", "a.c"])
    # No LIKE/GLOB wildcards: `_`, `%`, `*` match only themselves.
    assert len(api.list_ids(admin.token, {"q": f"a_c-{m}"})) == 1
    assert api.list_ids(admin.token, {"q": f"a%c-{m}"}) == []
    assert api.list_ids(admin.token, {"q": f"a*c-{m}"}) == []
    assert len(api.list_ids(admin.token, {"q": f"c-{m}"})) == 3


# --- filters ---------------------------------------------------------------------------

def test_role_and_active_filters(api, admin):
    m = tag()
    u_on = seed(api, admin, m, ["uon"])[0]
    u_off = seed(api, admin, m, ["uoff"], active=False)[0]
    a_on = seed(api, admin, m, ["aon"], role="ADMIN")[0]
    a_off = seed(api, admin, m, ["aoff"], role="ADMIN", active=False)[0]
    assert (u_off["active"], a_on["role"], a_off["role"], a_off["active"]) == (False, "ADMIN", "ADMIN", False)

    def ids(**params):
        return sorted(api.list_ids(admin.token, {"q": m, **params}))

    assert ids() == sorted(u["id"] for u in (u_on, u_off, a_on, a_off))
    assert ids(role="USER") == sorted([u_on["id"], u_off["id"]])
    assert ids(role="ADMIN") == sorted([a_on["id"], a_off["id"]])
    assert ids(active="true") == sorted([u_on["id"], a_on["id"]])
    assert ids(active="false") == sorted([u_off["id"], a_off["id"]])
    assert ids(role="ADMIN", active="false") == [a_off["id"]]
    assert ids(role="USER", active="true") == [u_on["id"]]
    body = api.listing(admin.token, {"q": m, "role": "ADMIN", "active": "true"})
    assert body["total"] == 1 and body["items"][0]["role"] == "ADMIN" and body["items"][0]["active"] is True
    # Filters without q: every item matches them.
    for user in api.listing(admin.token, {"role": "ADMIN", "per_page": 100})["items"]:
        assert user["role"] == "ADMIN"
    for user in api.listing(admin.token, {"active": "false", "per_page": 100})["items"]:
        assert user["active"] is False


def test_unknown_query_parameters_are_ignored(api, admin):
    m = tag()
    users = seed(api, admin, m, ["x", "y"])
    body = api.listing(admin.token, {"q": m, "foo": "bar", "limit": "1", "offset": "5", "order": "desc"})
    assert [u["id"] for u in body["items"]] == [u["id"] for u in users]
    assert body["total"] == 2 and body["per_page"] == 20


# --- sorting -----------------------------------------------------------------------------

def sorted_ids(users, key, descending):
    """Expected order: key in the direction, ties by id ascending."""
    by_id = sorted(users, key=lambda u: u["id"])
    return [u["id"] for u in sorted(by_id, key=key, reverse=descending)]  # stable: ties keep id order


def test_sort_by_id(api, admin):
    m = tag()
    users = seed(api, admin, m, ["c", "a", "b"])
    ids = [u["id"] for u in users]
    assert api.list_ids(admin.token, {"q": m}) == sorted(ids)
    assert api.list_ids(admin.token, {"q": m, "sort": "id"}) == sorted(ids)
    assert api.list_ids(admin.token, {"q": m, "sort": "-id"}) == sorted(ids, reverse=True)


def test_sort_by_username_case_insensitive(api, admin):
    m = tag()
    users = seed(api, admin, m, ["bob", "Alice", "Carol", "dave", "ALBERT", "1zed"])
    key = lambda u: u["username"].lower()  # noqa: E731
    asc = api.list_ids(admin.token, {"q": m, "sort": "username"})
    assert asc == sorted_ids(users, key, False)
    # A case-sensitive (binary) sort would differ:
    assert asc != [u["id"] for u in sorted(users, key=lambda u: u["username"])]
    assert api.list_ids(admin.token, {"q": m, "sort": "-username"}) == sorted_ids(users, key, True)


def test_sort_by_email_case_insensitive(api, admin):
    m = tag()
    users = [api.created(admin.token, username=f"{n}-{m}", email=f"{e}.{m}@example.com")
             for n, e in (("e1", "Mike"), ("e2", "alpha"), ("e3", "ZULU"), ("e4", "bravo"))]
    assert [u["email"] for u in users] == [f"{e}.{m}@example.com" for e in ("mike", "alpha", "zulu", "bravo")]
    key = lambda u: u["email"].lower()  # noqa: E731
    assert api.list_ids(admin.token, {"q": m, "sort": "email"}) == sorted_ids(users, key, False)
    assert api.list_ids(admin.token, {"q": m, "sort": "-email"}) == sorted_ids(users, key, True)


def test_sort_by_created_at_ties_by_id(api, admin):
    m = tag()
    users = seed(api, admin, m, ["c0", "c1", "c2", "c3", "c4", "c5"])
    stamps = [1_700_000_300, 1_700_000_100, 1_700_000_300, 1_700_000_200, 1_700_000_100, 1_700_000_300]
    for user, stamp in zip(users, stamps):
        api.db.execute("UPDATE users SET created_at = ? WHERE id = ?", (stamp, user["id"]))
        user["_created"] = stamp
    key = lambda u: u["_created"]  # noqa: E731
    asc = api.listing(admin.token, {"q": m, "sort": "created_at"})["items"]
    assert [u["id"] for u in asc] == sorted_ids(users, key, False)
    assert asc[0]["created_at"] == "2023-11-14T22:15:00Z"
    desc = api.list_ids(admin.token, {"q": m, "sort": "-created_at"})
    assert desc == sorted_ids(users, key, True)
    # Descending with ties by id ascending, not simply the reverse of the ascending order.
    assert desc != list(reversed(sorted_ids(users, key, False)))


def test_sort_by_last_login_at_nulls(api, admin):
    m = tag()
    users = seed(api, admin, m, ["l0", "l1", "l2", "l3", "l4", "l5"])
    stamps = [None, 1_700_000_500, None, 1_700_000_100, 1_700_000_500, None]
    for user, stamp in zip(users, stamps):
        api.db.execute("UPDATE users SET last_login_at = ? WHERE id = ?", (stamp, user["id"]))
    # One real login too: its last_login_at is now, later than all the stamps above.
    api.login({"username": users[2]["username"], "password": "correct horse battery"}).raise_for_status()
    stamps[2] = 9_999_999_999
    ids = [u["id"] for u in users]
    nulls = [ids[i] for i in (0, 5)]
    asc = api.listing(admin.token, {"q": m, "sort": "last_login_at"})["items"]
    expected_asc = [ids[3], ids[1], ids[4], ids[2]] + nulls
    assert [u["id"] for u in asc] == expected_asc
    assert asc[-1]["last_login_at"] is None and asc[0]["last_login_at"] == "2023-11-14T22:15:00Z"
    desc = api.list_ids(admin.token, {"q": m, "sort": "-last_login_at"})
    assert desc == nulls + [ids[2], ids[1], ids[4], ids[3]]


def test_sort_combined_with_pagination_and_filter(api, admin):
    m = tag()
    users = seed(api, admin, m, ["d", "B", "a", "C", "e"])
    seed(api, admin, m, ["zz"], active=False)
    expected = [u["id"] for u in sorted(users, key=lambda u: u["username"].lower(), reverse=True)]
    got = []
    for page in (1, 2, 3):
        body = api.listing(admin.token, {"q": m, "active": "true", "sort": "-username", "per_page": 2, "page": page})
        assert body["total"] == 5 and body["pages"] == 3
        got += [u["id"] for u in body["items"]]
    assert got == expected


# --- query validation --------------------------------------------------------------------

@pytest.mark.parametrize("param, value", [
    ("per_page", "0"), ("per_page", "101"), ("per_page", "-1"), ("per_page", "abc"),
    ("page", "0"), ("page", "-2"), ("page", "x"),
    ("sort", "bogus"), ("sort", "-bogus"), ("sort", "password_hash"), ("sort", "--id"),
    ("role", "X"), ("role", "SUPERUSER"),
    ("active", "yes"), ("active", "1"), ("active", "TRUE!"),
])
def test_invalid_query_value(api, admin, param, value):
    assert_validation(api.list_users(admin.token, {param: value}), {param: "invalid_value"})


def test_invalid_query_values_reported_together(api, admin):
    r = api.list_users(admin.token, {"per_page": 0, "page": 0, "sort": "bogus", "role": "X", "active": "yes",
                                     "q": "anything", "unknown": "1"})
    assert_validation(r, {"per_page": "invalid_value", "page": "invalid_value", "sort": "invalid_value",
                          "role": "invalid_value", "active": "invalid_value"})


def test_boundary_query_values_accepted(api, admin):
    for params in ({"per_page": 1}, {"per_page": 100}, {"page": 1}, {"role": "USER"}, {"role": "ADMIN"},
                   {"active": "true"}, {"active": "false"}, {"sort": "-created_at"}, {"sort": "last_login_at"},
                   {"q": ""}):
        api.listing(admin.token, params)


# --- locked_until ------------------------------------------------------------------------

def test_admin_sees_locked_until_on_every_item(api, admin):
    m = tag()
    seed(api, admin, m, ["k1", "k2"])
    locked = seed(api, admin, m, ["k3"])[0]
    for _ in range(3):  # LOCKOUT_THRESHOLD
        assert api.login({"username": locked["username"], "password": "wrong password!"}).status_code == 401
    items = api.listing(admin.token, {"q": m})["items"]
    assert len(items) == 3
    for user in items:
        assert set(user) == ADMIN_USER_KEYS, user
    by_id = {u["id"]: u for u in items}
    assert by_id[locked["id"]]["locked_until"] is not None
    assert [u["locked_until"] for u in items if u["id"] != locked["id"]] == [None, None]
    # and on the whole unfiltered page, the admin's own object included
    for user in api.listing(admin.token, {"per_page": 100})["items"]:
        assert "locked_until" in user


def test_users_never_see_locked_until(api, member):
    me = api.user_ok(member.token, member.id)
    assert set(me) == USER_KEYS, me
    assert set(api.me(member.token).json()["user"]) == USER_KEYS
    assert "locked_until" not in api.login_as(member.account).body["user"]
    username = unique()
    r = api.register({"username": username, "email": f"{username}@example.com", "password": "correct horse battery"})
    assert set(r.json()["user"]) == USER_KEYS


def test_admin_register_response_has_no_locked_until(api):
    # §5: the register response (anonymous caller) has no locked_until, even for an ADMIN account
    account = api.new_user(admin_key="integration-admin-registration-key")
    assert account.user["role"] == "ADMIN" and set(account.user) == USER_KEYS
