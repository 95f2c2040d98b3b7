"""No write path bypasses the change history.

Scans the project's source (ast) for ``.update(``, ``.bulk_create(`` and
``.bulk_update(`` on tracked models outside ``audit/history.py``:

- ``.update(`` is flagged on a chain that starts at a tracked model class
  (``Participant.objects.filter(...).update(...)``, also through an import
  alias). ``dict.update`` and friends are not chains from a model, so they pass.
- ``.bulk_create(``/``.bulk_update(`` are flagged everywhere unless the chain
  starts at a model known to be untracked (``DataKey``, ``AccessEvent``, …):
  a bulk write whose model cannot be told from the source is presumed tracked.

Tests are not scanned: they build data through the services (CONVENTIONS),
and a test shortcut never reaches production.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "var", "tests", "migrations", "node_modules", "__pycache__", ".git"}
HELPERS = "audit/history.py"
#: file → why a bulk write there is allowed. Keep this short and explained.
ALLOWED: dict[str, str] = {
    "bench/encryption.py": "bulk_create on the benchmark's own untracked note models",
}
BULK = {"bulk_create", "bulk_update"}


def tracked_and_untracked() -> tuple[set[str], set[str]]:
    tracked, untracked = set(), set()
    for model in apps.get_models():
        if getattr(model._meta, "simple_history_manager_attribute", None) or hasattr(
            model, "history"
        ):
            tracked.add(model.__name__)
        elif not model.__name__.startswith("Historical"):
            untracked.add(model.__name__)
    return tracked, untracked - tracked


def chain_root(node: ast.AST) -> str | None:
    """The name a call/attribute chain starts from: ``A.objects.filter().x`` → ``A``."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    return node.id if isinstance(node, ast.Name) else None


def violations_in(source: str, filename: str, tracked: set[str], untracked: set[str]):
    tree = ast.parse(source, filename=filename)
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                aliases[alias.asname or alias.name] = alias.name
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in BULK and method != "update":
            continue
        root = chain_root(node.func.value)
        model = aliases.get(root, root)
        if method == "update":
            bad = model in tracked
        else:
            bad = model not in untracked
        if bad:
            found.append(f"{filename}:{node.lineno}: {model or '?'}….{method}(")
    return found


def project_files():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIP_DIRS & set(relative.parts[:-1]):
            continue
        yield relative.as_posix(), path


def test_no_write_bypasses_the_history():
    tracked, untracked = tracked_and_untracked()
    assert {"Participant", "Membership", "Consent", "ProgressNote"} <= tracked
    assert {"DataKey", "AccessEvent"} <= untracked
    found = []
    scanned = 0
    for relative, path in project_files():
        if relative == HELPERS or relative in ALLOWED:
            continue
        scanned += 1
        found += violations_in(path.read_text(), relative, tracked, untracked)
    assert scanned > 20
    stale = [name for name in ALLOWED if not (ROOT / name).exists()]
    assert stale == [], f"allow-list entries for files that are gone: {stale}"
    assert found == [], "writes that bypass the history helpers:\n" + "\n".join(found)


def test_the_scanner_catches_bypasses_and_leaves_dicts_alone():
    tracked, untracked = {"Participant", "Membership"}, {"DataKey"}
    source = """
from participants.models import Participant as Person
options = {}
options.update(a=1)
Person.objects.filter(pk=1).update(status="x")
Membership.objects.update(role="x")
Participant.objects.bulk_create([])
DataKey.objects.bulk_create([])
DataKey.objects.filter(pk=1).update(generation=2)
rows.bulk_update([], ["x"])
"""
    found = violations_in(source, "sample.py", tracked, untracked)
    assert [line.split(":")[1] for line in found] == ["5", "6", "7", "10"]
