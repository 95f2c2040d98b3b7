"""Strict Content Security Policy on every page.

Every URL of the URLconf is reversed with the access matrix's kwarg builders
(``tests/accounts/matrix.py``) over its scenario, and fetched by every user the
access table and the relationship allow there (the scenario's administrator
for ``admin:*``; a superuser as well, to reach the admin pages of the
third-party apps: devices, lockouts, tasks). Forms answered by POST only are
fetched the way the matrix does (an empty POST, so the form comes back with its
errors), and every page is fetched a second time as an htmx request, so the
fragments htmx swaps in are checked too. The sign-in pages are fetched in
their own states: the form, a wrong password, the second-factor step, the
enrolment with its QR code, the recovery codes shown once.

For each HTML answer: the header is there and strict (nonces, no
``'unsafe-inline'``/``'unsafe-eval'`` for scripts or styles), and the markup
holds no script or style the policy would block: every ``<script>`` and
``<style>`` carries the header's nonce, no element has a ``style`` attribute or
an inline event handler, no ``javascript:`` URL, no ``hx-on`` (htmx would need
eval). Stylesheets (``<link>``) and script files must come from our own origin.
"""

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.accounts import matrix
from tests.accounts.signin_helpers import totp_code
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

#: ``<script type>`` values that make a data block: the browser never runs it,
#: so it needs no nonce (``json_script`` writes these). Every other type —
#: none, a JavaScript MIME type, "module", "importmap", "speculationrules" or
#: anything we did not think of — must carry the nonce.
DATA_BLOCK_TYPES = frozenset({"application/json", "application/ld+json"})
#: Sources that would let an injected script or style run.
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "blob:")
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data"})
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/_=-]+)'")


def policy_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        directives[name.lower()] = values
    return directives


def header_problems(header: str | None, *, nonce_required: bool) -> tuple[list[str], str | None]:
    """(problems, nonce) of a Content-Security-Policy header."""
    if not header:
        return ["no Content-Security-Policy header"], None
    directives = policy_directives(header)
    problems, nonces = [], set()
    for name in ("script-src", "style-src"):
        values = directives.get(name)
        if values is None:
            problems.append(f"no {name}")
            continue
        problems += [f"{name} allows {value}" for value in values if value in UNSAFE_SOURCES]
        found = {match[1] for value in values if (match := NONCE.fullmatch(value))}
        if nonce_required and not found:
            problems.append(f"{name} has no nonce")
        nonces |= found
    if len(nonces) > 1:
        problems.append(f"different nonces for scripts and styles: {sorted(nonces)}")
    for name, expected in (("object-src", ["'none'"]), ("base-uri", ["'none'"])):
        if directives.get(name) != expected:
            problems.append(f"{name} is {directives.get(name)}, expected {expected}")
    return problems, next(iter(nonces), None)


def _same_origin(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


class InlineCodeChecker(HTMLParser):
    """Finds markup that a nonce-based policy without 'unsafe-inline' blocks."""

    def __init__(self, nonce: str | None):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []
        self.elements = Counter()
        self.icons = 0
        self.is_document = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements[tag] += 1
        where = f"<{tag}{self._describe(attributes)}>"
        if tag == "html":
            self.is_document = True
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on {where}")
            elif name.startswith("on"):
                self.problems.append(f"inline event handler {name}= on {where}")
            elif name.startswith("hx-on"):
                self.problems.append(f"htmx handler {name}= (needs eval) on {where}")
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name}= on {where}")
        if tag == "script":
            script_type = (attributes.get("type") or "").strip().lower()
            if script_type in DATA_BLOCK_TYPES:
                if "src" in attributes:
                    self.problems.append(f"data block with src: {where}")
                return
            if "src" in attributes and not _same_origin(attributes["src"] or ""):
                self.problems.append(f"script from another origin: {where}")
            self._require_nonce(attributes, where)
        elif tag == "style":
            self._require_nonce(attributes, where)
        elif tag == "link" and "stylesheet" in (attributes.get("rel") or "").lower().split():
            if not _same_origin(attributes.get("href") or ""):
                self.problems.append(f"stylesheet from another origin: {where}")
        if tag == "link" and "icon" in (attributes.get("rel") or "").lower().split():
            self.icons += 1

    def _require_nonce(self, attributes, where):
        if "nonce" not in attributes:
            self.problems.append(f"no nonce on {where}")
        elif self.nonce is None or attributes["nonce"] != self.nonce:
            self.problems.append(f"nonce differs from the header's on {where}")

    @staticmethod
    def _describe(attributes) -> str:
        shown = {
            name: attributes[name] for name in ("id", "src", "href", "type") if name in attributes
        }
        return "".join(f' {name}="{value}"' for name, value in shown.items())


def page_problems(response) -> tuple[list[str], Counter]:
    """Problems of an HTML answer (header and markup), and the elements it holds."""
    body = matrix.body_bytes(response).decode(response.charset or "utf-8")
    header = response.get("Content-Security-Policy")
    # A page always carries the nonce: base.html and the admin's base load their
    # scripts with it. An htmx fragment, or Django's own 403/404 page, may hold
    # no script or style at all; then Django leaves the nonce out of the header
    # (stricter still: nothing inline may run), and any script or style in it
    # is reported below as lacking the header's nonce.
    is_document = re.search(r"<html[\s>]", body, re.IGNORECASE) is not None
    is_page = is_document and response.status_code < 400
    problems, nonce = header_problems(header, nonce_required=is_page)
    checker = InlineCodeChecker(nonce)
    checker.feed(body)
    checker.close()
    if is_page and not checker.icons:
        # Not the policy, but the same walk: without it the browser asks for
        # /favicon.ico, a 404 on every page.
        problems.append('no <link rel="icon">')
    return problems + checker.problems, checker.elements


def is_html(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "text/html"


@dataclass
class Walk:
    pages: int = 0
    #: Full documents answered 2xx/3xx (each loads at least one script).
    documents: int = 0
    htmx: int = 0
    scripts: int = 0
    styles: int = 0
    views: set = field(default_factory=set)
    problems: list = field(default_factory=list)

    def check(self, label: tuple, response, *, htmx: bool = False) -> None:
        if not is_html(response) or not matrix.body_bytes(response).strip():
            return
        problems, elements = page_problems(response)
        self.pages += 1
        self.documents += elements["html"] > 0 and response.status_code < 400
        self.htmx += htmx
        self.scripts += elements["script"]
        self.styles += elements["style"]
        self.views.add(label[0])
        self.problems += [(*label, response.status_code, problem) for problem in problems]


@pytest.fixture(autouse=True)
def quiet_request_log():
    # Expected 403s and 404s from the admin; server errors (ERROR) still show.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def scenario(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    scenario = matrix.build_scenario()
    # The scenario's administrator manages our models only; a superuser also
    # reaches the third-party admin pages (e.g. a device's QR code page).
    scenario.users["superuser"] = user_with_role(
        Role.ADMIN,
        scenario.objects["enterprise_a"],
        username="csp_superuser",
        is_staff=True,
        is_superuser=True,
    )
    scenario.sign_in["superuser"] = "verified"
    return scenario


def _users_allowed(scenario, case) -> list[str]:
    if case.view_name.startswith("admin:"):
        allowed = ["admin"] if matrix.expected(scenario, case, "admin") == matrix.ALLOWED else []
        return [*allowed, "superuser"]
    if case.rule.public:
        return ["anonymous", "manager_a"]
    if case.rule.before_second_factor:
        return ["manager_a_no_second_factor"]
    return [
        user_key
        for user_key in scenario.users
        if user_key != "superuser" and matrix.expected(scenario, case, user_key) == matrix.ALLOWED
    ]


def _walk_sign_in_states(scenario, walk: Walk) -> None:
    """The sign-in pages in the states a person sees them, beyond a plain GET."""
    client = scenario.fresh_client("anonymous")
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    walk.check(("login", "wrong password"), response)
    # First sign-in: no authenticator app yet, so the enrolment page with its QR code.
    enterprise = scenario.objects["enterprise_a"]
    # A wrong code (its own user: a failure throttles the device for a second).
    mistaken = user_with_role(Role.SUPERVISOR, enterprise, username="csp_mistaken")
    client.force_login(mistaken)
    response = client.post(reverse("signin_enrol"), {"code": "000000"})
    walk.check(("signin_enrol", "wrong code"), response)
    newcomer = user_with_role(Role.SUPERVISOR, enterprise, username="csp_newcomer")
    client.force_login(newcomer)
    response = client.get(reverse("signin_verify"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("signin_enrol"))
    walk.check(("signin_enrol", "newcomer"), response)
    device = TOTPDevice.objects.get(user=newcomer)
    response = client.post(reverse("signin_enrol"), {"code": totp_code(device)}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("signin_recovery_codes"))
    assert response.context["recovery_codes"], "the recovery codes are shown once"
    walk.check(("signin_recovery_codes", "newcomer"), response)


def test_every_page_has_a_strict_policy_and_no_inline_code_without_the_nonce(scenario):
    walk = Walk()
    for case in matrix.cases(scenario):
        for user_key in _users_allowed(scenario, case):
            method, response = matrix.fetch(scenario, case, user_key)
            label = (case.view_name, case.object_key, user_key, method)
            walk.check(label, response)
            if method == "GET" and response.status_code == 200 and is_html(response):
                # The same URL as htmx asks for it: views answer with a fragment.
                client = scenario.client(user_key)
                fragment = client.get(case.url, headers={"HX-Request": "true"})
                walk.check((*label, "htmx"), fragment, htmx=True)
    _walk_sign_in_states(scenario, walk)
    # Error pages: Django's own 403 and 404 answers.
    client = scenario.client("supervisor_a")
    walk.check(("403", "supervisor_a"), client.get(reverse("reports:outcome")))
    walk.check(("404", "supervisor_a"), client.get("/no-such-page/"))

    assert walk.problems == [], f"{len(walk.problems)} CSP problems:\n" + "\n".join(
        map(str, walk.problems)
    )
    # Not vacuous: the walk saw the pages, the scripts and the admin it is about.
    registered = [
        model._meta
        for model in admin.site._registry
        if model._meta.app_label in ("accounts", "casework")
    ]
    must_see = {
        "home",
        "login",
        "signin_verify",
        "signin_enrol",
        "signin_recovery_codes",
        "reauth",
        "participants:list",
        "units:attendance_week",
        "participants:assessments",
        "reports:outcome",
        "admin:index",
        *(f"admin:{opts.app_label}_{opts.model_name}_changelist" for opts in registered),
        *(f"admin:{opts.app_label}_{opts.model_name}_change" for opts in registered),
        *(f"admin:{opts.app_label}_{opts.model_name}_add" for opts in registered),
    }
    assert must_see - walk.views == set()
    assert walk.pages >= 400, walk.pages
    assert walk.htmx >= 200, walk.htmx
    assert walk.documents >= 300, walk.documents
    assert walk.scripts >= walk.documents, (walk.scripts, walk.documents)
    print(
        f"CSP: {walk.pages} HTML answers ({walk.documents} full pages, {walk.htmx} as htmx "
        f"requests) from {len(walk.views)} views; {walk.scripts} scripts, {walk.styles} styles"
    )


# --- The checker itself (positive controls) ------------------------------------------


def _problems(html: str, header: str) -> list[str]:
    problems, nonce = header_problems(header, nonce_required=True)
    checker = InlineCodeChecker(nonce)
    checker.feed(html)
    checker.close()
    return problems + checker.problems


STRICT = (
    "default-src 'self'; script-src 'self' 'nonce-abc123'; style-src 'self' 'nonce-abc123'; "
    "object-src 'none'; base-uri 'none'"
)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>alert(1)</script>", "no nonce on <script>"),
        ('<script src="/static/js/app.js"></script>', "no nonce on <script"),
        ('<script nonce="other">alert(1)</script>', "nonce differs"),
        ('<script type="module">import "/x.js"</script>', "no nonce on <script"),
        ('<script type="text/javascript">alert(1)</script>', "no nonce on <script"),
        ("<style>body { color: red }</style>", "no nonce on <style>"),
        ('<p style="color: red">x</p>', "style attribute"),
        ('<svg><rect style="fill: red"/></svg>', "style attribute"),
        ('<button onclick="go()">x</button>', "inline event handler onclick="),
        ("<body onload='go()'>", "inline event handler onload="),
        ('<a href=" JavaScript:go()">x</a>', "javascript: URL"),
        ('<div hx-on:click="go()">x</div>', "htmx handler"),
        ('<script nonce="abc123" src="https://cdn.example.org/x.js"></script>', "another origin"),
        ('<link rel="stylesheet" href="//cdn.example.org/x.css">', "another origin"),
    ],
)
def test_checker_flags_inline_code(html, expected):
    problems = _problems(html, STRICT)
    assert any(expected in problem for problem in problems), problems


def test_checker_passes_compliant_markup():
    html = (
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="/static/css/stegvis.css">'
        '<script src="/static/js/htmx.min.js" nonce="abc123" defer></script>'
        '<style nonce="abc123">p { color: red }</style></head><body class="x">'
        # A data block is never executed: no nonce needed (json_script's output).
        '<script id="data" type="application/json">{"a": "</b>"}</script>'
        '<img src="data:image/svg+xml;base64,AAAA" alt=""><a href="/home/">home</a>'
        "</body></html>"
    )
    assert _problems(html, STRICT) == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "no Content-Security-Policy header"),
        (
            STRICT.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
            "script-src allows 'unsafe-inline'",
        ),
        (
            STRICT.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
            "style-src allows 'unsafe-inline'",
        ),
        (
            STRICT.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'"),
            "allows 'unsafe-eval'",
        ),
        (
            STRICT.replace("script-src 'self' 'nonce-abc123'", "script-src 'self'"),
            "script-src has no nonce",
        ),
        (STRICT.replace("; style-src 'self' 'nonce-abc123'", ""), "no style-src"),
        (
            STRICT.replace("'nonce-abc123'; object-src", "'nonce-zzz'; object-src"),
            "different nonces",
        ),
    ],
)
def test_checker_flags_a_weak_header(header, expected):
    problems, _nonce = header_problems(header, nonce_required=True)
    assert any(expected in problem for problem in problems), problems
