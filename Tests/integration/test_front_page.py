"""The front page at / (issue 21): `make run`'s nginx (scripts/serve-local, the template's
`location = /`) answers it with web/index.html, a static page under the web pages'
Content-Security-Policy whose every link and stylesheet answers 200 through the same nginx."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

from support import media_type

# The pages the issue asks the front page to link.
REQUIRED_LINKS = {"/api/docs/", "/admin/", "/account/", "/api/health"}


class _References(HTMLParser):
    """Every href and src of the document, and whether it has inline script or style."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a or any(name.startswith("on") for name in a):
            self.inline.append(f"<{tag}> with an inline style or handler")
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script":
            self._in_script = "src" not in a
            if "src" in a:
                self.assets.append(a["src"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "link" and a.get("rel") == "stylesheet":
            self.assets.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append("<script> with inline code")


def test_front_page_is_served_at_root(shared_stack):
    r = requests.get(shared_stack.url("/"), timeout=10)
    assert r.status_code == 200, r.text[:300]
    assert media_type(r) == "text/html"
    assert "charset=utf-8" in r.headers["Content-Type"].lower()
    csp = r.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp, csp
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert r.headers.get("Referrer-Policy") == "no-referrer"
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in r.text

    refs = _References()
    refs.feed(r.text)
    assert not refs.inline, refs.inline
    assert REQUIRED_LINKS <= set(refs.links), refs.links


def test_every_link_on_the_front_page_answers(shared_stack):
    base = shared_stack.url("/")
    refs = _References()
    refs.feed(requests.get(base, timeout=10).text)
    targets = refs.links + refs.assets
    assert targets
    with requests.Session() as s:
        for target in targets:
            url = urljoin(base, target)
            assert urlsplit(url).netloc == urlsplit(base).netloc, f"{target} leaves the site"
            r = s.get(url, timeout=10, allow_redirects=False)
            assert r.status_code == 200, f"{target}: {r.status_code} {r.text[:200]}"


def test_other_paths_still_404(shared_stack):
    """Only `/` itself is the front page: `location /` keeps answering the rest 404."""
    assert requests.get(shared_stack.url("/index.html"), timeout=10).status_code == 404
    assert requests.get(shared_stack.url("/no-such-page"), timeout=10).status_code == 404
