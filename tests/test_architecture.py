"""The apps depend on each other in one direction only (DESIGN.md §2):
casework → placements → participants → accounts; encryption imports no other
app; audit reads accounts (who acted, in which role) and nothing above it;
config is imported by no app."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "encryption", "audit", "participants", "placements", "casework", "config"]

#: What each app may import from the others (besides itself).
ALLOWED = {
    "encryption": set(),
    "audit": {"accounts", "encryption"},
    "accounts": {"encryption", "audit"},
    "participants": {"accounts", "encryption", "audit"},
    "placements": {"participants", "accounts", "encryption", "audit"},
    "casework": {"placements", "participants", "accounts", "encryption", "audit"},
}


def imported_apps(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in APPS:
                found.add((top, node.lineno))
    return found


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_imports_point_one_way(app):
    offenders = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for imported, line in imported_apps(path):
            if imported != app and imported not in ALLOWED[app]:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert offenders == []


def test_the_check_sees_a_violation(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from casework.models import Exit\n")
    assert imported_apps(sample) == {("casework", 2)}
