"""The apps depend on each other in one direction only.

Domain layers, bottom up: ``encryption``; ``accounts`` (users, organisations,
memberships); ``audit`` (reads ``accounts``: who acted, in which role and
organisation); ``participants`` → ``placements`` → ``casework``. Above them:
``reports`` (aggregates, reads the domain), ``desk`` (the screens, the only app
that gathers across apps) and ``demo`` (demo and bench data). ``config`` imports
apps; no app imports ``config``.

A dependency is seen both as an import and as a model named in a string (for
example ``apps.get_model("casework.ProgressNote")`` or a lazy foreign key):
a lower app that must know about an upper one is told through a registry that
the upper app fills in its ``AppConfig.ready()`` (``audit.registry``,
``participants.policy.register_sections``).
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: What each app may import from the others (besides itself).
DOMAIN = {
    "encryption",
    "accounts",
    "audit",
    "participants",
    "placements",
    "casework",
    "documents",
    "referrals",
    "timesheets",
    "notifications",
}
ALLOWED = {
    "encryption": set(),
    "accounts": {"encryption"},
    "audit": {"accounts", "encryption"},
    "participants": {"accounts", "encryption", "audit"},
    "placements": {"participants", "accounts", "encryption", "audit"},
    "casework": {"placements", "participants", "accounts", "encryption", "audit"},
    "documents": {"placements", "participants", "accounts", "encryption", "audit"},
    "referrals": {"placements", "participants", "accounts", "encryption", "audit"},
    "timesheets": {"placements", "participants", "accounts", "encryption", "audit"},
    # Above casework and referrals: hears their events, reads the due rule.
    "notifications": {
        "casework",
        "referrals",
        "placements",
        "participants",
        "accounts",
        "encryption",
        "audit",
    },
    "erasure": DOMAIN,
    "reports": DOMAIN,
    "demo": DOMAIN | {"funding"},  # the demo's funded project
    # Registers its files with the erasure; the funded projects' data is the person's too.
    "subject_copy": DOMAIN | {"erasure", "funding"},
    "funding": DOMAIN | {"reports"},  # funder files reuse the report writers
    "desk": DOMAIN | {"reports", "subject_copy", "erasure", "funding"},
}
APPS = set(ALLOWED) | {"config"}
#: A model named in a string: "app_label.ModelName".
MODEL_LABEL = re.compile(r"^([a-z_]+)\.([A-Z]\w*)$")


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def dependencies(path: Path) -> set[tuple[str, int, str]]:
    """(app, line, how) for every app the file imports or names a model of."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.Call):
            arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
            strings = [
                argument.value
                for argument in arguments
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            ]
            for text in strings:
                match = MODEL_LABEL.match(text)
                if match and match[1] in APPS:
                    found.add((match[1], node.lineno, f"names {text!r}"))
            # get_model("casework", "ProgressNote")
            if _call_name(node) == "get_model" and strings and strings[0] in APPS:
                found.add((strings[0], node.lineno, f"get_model({strings[0]!r}, …)"))
            continue
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in APPS:
                found.add((top, node.lineno, "imports"))
    return found


def offenders_in(app: str, root: Path = ROOT) -> list[str]:
    offenders = []
    for path in sorted((root / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for other, line, how in dependencies(path):
            if other != app and other not in ALLOWED[app]:
                offenders.append(f"{path.relative_to(root)}:{line} {how} {other}")
    return offenders


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_dependencies_point_one_way(app):
    assert (ROOT / app).is_dir()
    assert offenders_in(app) == []


def test_every_app_is_in_the_layering():
    """A new top-level app must be placed in ALLOWED, or the check would not see it."""
    packages = {
        path.parent.name
        for path in ROOT.glob("*/apps.py")
        if path.parent.name not in {"bench", "tests"}
    }
    assert packages - set(ALLOWED) == set()


# --- the check sees what it must --------------------------------------------------------


def test_the_check_sees_an_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from casework.models import Exit\n")
    assert dependencies(sample) == {("casework", 2, "imports")}


def _plant(tmp_path: Path, app: str, code: str) -> Path:
    (tmp_path / app).mkdir()
    (tmp_path / app / "planted.py").write_text(code)
    return tmp_path


def test_the_check_fails_on_a_model_named_in_a_string_in_audit(tmp_path):
    root = _plant(
        tmp_path,
        "audit",
        'from django.apps import apps\n\nnote = apps.get_model("casework.ProgressNote")\n',
    )
    assert offenders_in("audit", root) == [
        "audit/planted.py:3 names 'casework.ProgressNote' casework"
    ]


def test_the_check_fails_on_get_model_with_two_arguments(tmp_path):
    root = _plant(
        tmp_path,
        "audit",
        'from django.apps import apps\n\napps.get_model("placements", "Placement")\n',
    )
    assert offenders_in("audit", root) == [
        "audit/planted.py:3 get_model('placements', …) placements"
    ]


def test_the_check_fails_on_an_import_of_the_web_app_from_a_domain_app(tmp_path):
    root = _plant(tmp_path, "placements", "from desk.views.home import HomeView\n")
    assert offenders_in("placements", root) == ["placements/planted.py:1 imports desk"]


def test_the_check_fails_on_reports_imported_by_a_domain_app(tmp_path):
    root = _plant(tmp_path, "casework", "def f():\n    import reports.statistics\n")
    assert offenders_in("casework", root) == ["casework/planted.py:2 imports reports"]


def test_the_check_fails_on_accounts_importing_audit(tmp_path):
    """audit reads accounts; the other direction would make a cycle."""
    root = _plant(tmp_path, "accounts", "from audit.events import record_access\n")
    assert offenders_in("accounts", root) == ["accounts/planted.py:1 imports audit"]


def test_a_docstring_naming_a_model_is_not_a_dependency(tmp_path):
    root = _plant(tmp_path, "audit", '"""Reads like casework.ProgressNote are logged."""\n')
    assert offenders_in("audit", root) == []
