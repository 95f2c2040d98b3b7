"""Every screen is reachable by clicking from the home page, and every link opens.

For each role, a user of the access matrix's scenario (``tests/accounts/matrix.py``)
starts at "/" and follows every same-site ``<a href>`` breadth-first (GET only; sign
out and the language switch are forms, and are skipped should they ever be links),
up to ``MAX_PAGES`` pages (``MAX_PER_VIEW`` of one URL name). Every link a user is
shown must answer below 400 for that user, file downloads included; and the pages
reached must cover the screens the role works with (``MUST_REACH``, by URL name).
"""

import logging
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from tests.accounts import matrix

pytestmark = pytest.mark.django_db

MAX_PAGES = 400
#: Pages per URL name: a chain of "previous week" or "next page" links would
#: otherwise spend the whole budget on one screen before the others are seen.
MAX_PER_VIEW = 40
#: Paths never followed: they end the session or change the language.
SKIPPED = ("/logout/", "/admin/logout/", "/i18n/")

#: The role → the scenario user who crawls for it.
CRAWLERS = {
    "supervisor": "supervisor_a",
    "manager": "manager_a",
    "case_officer": "case_officer_x",
    "analyst": "analyst_f",
    "auditor": "auditor_a",
    "admin": "admin",
}

_SUPERVISOR = {
    "home",
    "participants:list",
    "participants:detail",
    "participants:notes",
    "participants:goals",
    "participants:assessments",
    "units:attendance_week",
    "placements:list",
    "placements:detail",
}
#: The screens each role must reach by clicking (at least these).
MUST_REACH = {
    "supervisor": _SUPERVISOR | {"participants:follow_ups_due", "placements:attendance_month_pdf"},
    "manager": _SUPERVISOR
    | {
        "units:attendance",
        "participants:create",
        "placements:referral_create",
        "reports:outcome",
        "reports:export_list",
        "participants:follow_ups_due",
    },
    "case_officer": {
        "home",
        "participants:list",
        "participants:detail",
        "participants:notes",
        "placements:list",
        "placements:detail",
        "placements:reviews_due",
    },
    "analyst": {"home", "reports:export_list", "reports:export_create"},
    "auditor": {"home", "audit:events", "audit:participant_history", "audit:participant_extract"},
    "admin": {"home", "admin:index"},
}


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_in(html: str) -> list[str]:
    parser = LinkParser()
    parser.feed(html)
    parser.close()
    return parser.hrefs


def same_site(base: str, href: str) -> str | None:
    """The path (and query) of a same-site link, without its fragment; else None."""
    url = urlsplit(urljoin(base, href))
    if url.scheme not in ("http", "") or url.netloc not in ("", "testserver"):
        return None
    if url.path.startswith(SKIPPED):
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def view_name_of(path: str) -> str:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return f"<unresolved {path}>"


@dataclass
class Crawl:
    pages: int = 0
    view_names: set[str] = field(default_factory=set)
    #: (url, status, the page that linked to it)
    failures: list[tuple[str, int, str]] = field(default_factory=list)
    truncated: bool = False
    per_view: Counter = field(default_factory=Counter)


def crawl(client, start: str = "/", on_page=None) -> Crawl:
    """Breadth-first from ``start``; ``on_page(url, response, body)`` sees every answer."""
    result = Crawl()
    queue = deque([(start, "")])
    seen = {start}
    while queue:
        if result.pages >= MAX_PAGES:
            result.truncated = True
            break
        url, referrer = queue.popleft()
        view_name = view_name_of(url)
        if result.per_view[view_name] >= MAX_PER_VIEW:
            result.truncated = True
            continue
        result.per_view[view_name] += 1
        response = client.get(url)
        result.pages += 1
        result.view_names.add(view_name)
        found = []
        if response.status_code >= 400:
            result.failures.append((url, response.status_code, referrer))
        elif response.status_code in (301, 302, 303, 307, 308):
            found = [response["Location"]]
        elif response.get("Content-Type", "").startswith("text/html"):
            found = links_in(response.content.decode())
        if response.streaming:
            body = b"".join(response.streaming_content)  # a file download: read it to the end
        else:
            body = response.content
        if on_page is not None:
            on_page(url, response, body)
        for href in found:
            path = same_site(url, href)
            if path is not None and path not in seen:
                seen.add(path)
                queue.append((path, url))
    return result


@pytest.fixture(autouse=True)
def quiet_request_log():
    # A failing link is reported by the test; the log would repeat it.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def scenario(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    return matrix.build_scenario()


@pytest.mark.parametrize("role", sorted(CRAWLERS))
def test_every_link_opens_and_every_screen_is_reachable_by_clicking(scenario, role):
    if role == "auditor":
        # A manager has opened a record, so the access log has a participant to follow.
        participant = scenario.objects["P1"]
        scenario.client("manager_a").get(reverse("participants:detail", args=[participant.pk]))
    client = scenario.client(CRAWLERS[role])
    result = crawl(client)
    assert result.failures == [], (
        f"{role}: links that do not open (url, status, linked from):\n"
        + "\n".join(map(str, result.failures))
    )
    missing = MUST_REACH[role] - result.view_names
    assert missing == set(), (
        f"{role} cannot reach {sorted(missing)} by clicking; reached {sorted(result.view_names)}"
    )
    print(f"{role}: {result.pages} pages, screens {sorted(result.view_names)}")
    # The crawl reached past the home page (a positive control for the link parser).
    assert result.pages > len(MUST_REACH[role]) or result.truncated


def test_the_crawler_skips_other_sites_sign_out_and_the_language_switch():
    assert same_site("/deltagare/", "https://example.org/") is None
    assert same_site("/deltagare/", "//example.org/x/") is None
    assert same_site("/deltagare/", "mailto:x@example.org") is None
    assert same_site("/", "/logout/") is None
    assert same_site("/", "/i18n/setlang/") is None
    assert same_site("/deltagare/", "?page=2#top") == "/deltagare/?page=2"
    assert same_site("/placeringar/x/", "../") == "/placeringar/"
    assert links_in('<p><a href="/a/">a</a><a name="x">x</a><link href="/c.css"></p>') == ["/a/"]
