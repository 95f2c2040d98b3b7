"""The Swedish catalogue is complete and compiled, and covers every UI string in the code.

The catalogue (locale/sv/LC_MESSAGES/django.po) and its compiled .mo are both
committed, so a machine without GNU gettext still shows Swedish. These tests fail
when a msgid is untranslated or fuzzy, when the .mo is older than the .po, or
when the code has a translatable string the committed .po lacks.
"""

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

REPO = Path(__file__).resolve().parent.parent
LOCALE = REPO / "locale"
PO = LOCALE / "sv" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "sv" / "LC_MESSAGES" / "django.mo"

# Same as the documented `makemessages` command: only the application's own code.
IGNORE = [".venv", "var", "bench", "tests", "screenshots", "build"]


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), flags.

    Obsolete entries (`#~`) are left out; the header (empty msgid) is kept.
    """
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple | None = None

    def finish():
        nonlocal entry
        if entry is not None and "msgid" in entry:
            entries.append(entry)
        entry = None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            value = ast.literal_eval(line)
        else:
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr["):
                field = ("msgstr", int(keyword[7:-1]))
            elif keyword == "msgstr":
                field = ("msgstr", 0)
            elif keyword in ("msgid", "msgid_plural", "msgctxt"):
                field = (keyword,)
            else:
                raise ValueError(f"{path}: cannot parse {line!r}")
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] = ""
            else:
                entry[field[0]] = ""
        if field is None:
            raise ValueError(f"{path}: continuation without a keyword: {line!r}")
        if field[0] == "msgstr":
            entry["msgstr"][field[1]] += value
        else:
            entry[field[0]] += value
    finish()
    return entries


def key(entry: dict) -> tuple:
    return (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))


def messages(path: Path) -> dict[tuple, dict]:
    return {key(entry): entry for entry in parse_po(path) if entry["msgid"]}


def describe(keys) -> str:
    return "\n".join(
        f"  {msgid!r}" + (f" (context {ctx!r})" if ctx else "") for ctx, msgid, _ in keys
    )


def test_locale_path_is_the_committed_catalogue():
    assert LOCALE in [Path(p) for p in settings.LOCALE_PATHS]
    assert settings.LANGUAGE_CODE == "sv"


def test_every_msgid_has_a_reviewed_swedish_translation():
    catalogue = messages(PO)
    assert len(catalogue) > 100, "the Swedish catalogue is suspiciously small"
    untranslated = [k for k, e in catalogue.items() if not all(e["msgstr"].values())]
    fuzzy = [k for k, e in catalogue.items() if "fuzzy" in e["flags"]]
    assert not untranslated, "untranslated in django.po:\n" + describe(untranslated)
    assert not fuzzy, "fuzzy (unchecked) in django.po:\n" + describe(fuzzy)
    plurals = [e for e in catalogue.values() if e.get("msgid_plural")]
    assert all(sorted(e["msgstr"]) == [0, 1] for e in plurals)


def test_header_is_not_fuzzy_and_declares_swedish():
    header = next(e for e in parse_po(PO) if e["msgid"] == "")
    assert "fuzzy" not in header["flags"], "a fuzzy header makes msgfmt skip the catalogue"
    assert "Language: sv\n" in header["msgstr"][0]
    assert "charset=UTF-8" in header["msgstr"][0]


def test_compiled_mo_matches_the_po():
    """The committed .mo is compiled from the committed .po (compilemessages was run)."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for (ctx, msgid, plural), entry in messages(PO).items():
        if plural:
            got = [
                compiled.npgettext(ctx, msgid, plural, n)
                if ctx
                else compiled.ngettext(msgid, plural, n)
                for n in (1, 2)
            ]
            want = [entry["msgstr"][0], entry["msgstr"][1]]
        else:
            got = compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)
            want = entry["msgstr"][0]
        if got != want:
            stale.append((ctx, msgid, plural))
    assert not stale, (
        "django.mo is out of date; run `manage.py compilemessages -l sv --ignore=.venv`:\n"
        + describe(stale[:20])
    )


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed"
)
def test_every_ui_string_in_the_code_is_in_the_committed_po(tmp_path):
    """Extract the msgids afresh and compare them with the committed .po.

    makemessages writes into any `locale` directory under its working directory,
    so it runs in a scratch copy of the source without one, with LOCALE_PATHS
    pointing at a scratch directory: the committed catalogue is never touched.
    """
    source = tmp_path / "src"
    scratch = tmp_path / "out" / "locale"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(*IGNORE, "locale", ".*", "__pycache__", "*.egg-info"),
    )
    scratch.mkdir(parents=True)
    (source / "i18n_check_settings.py").write_text(
        f"from config.settings_test import *  # noqa: F403\nLOCALE_PATHS = [{str(scratch)!r}]\n",
        encoding="utf-8",
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "i18n_check_settings"}
    env.pop("PYTHONPATH", None)
    command = [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-location"]
    command += [f"--ignore={pattern}" for pattern in [*IGNORE, "i18n_check_settings.py"]]
    result = subprocess.run(  # noqa: S603
        command, cwd=source, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh_po = scratch / "sv" / "LC_MESSAGES" / "django.po"
    assert fresh_po.exists(), "makemessages did not write to the scratch locale directory"

    fresh = messages(fresh_po)
    committed = messages(PO)
    assert len(fresh) > 100, "makemessages found suspiciously few strings"
    missing = sorted(set(fresh) - set(committed), key=lambda k: k[1])
    assert not missing, (
        f"{len(missing)} UI string(s) are not in locale/sv/LC_MESSAGES/django.po. Run\n"
        "  .venv/bin/python manage.py makemessages -l sv "
        + " ".join(f"--ignore={pattern}" for pattern in IGNORE)
        + "\nthen translate them and run compilemessages -l sv --ignore=.venv:\n"
        + describe(missing)
    )


@pytest.mark.django_db
def test_login_page_is_swedish_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="sv">' in text
    assert "Logga in" in text
    assert "Lösenord" in text
    assert "Sign in" not in text


@pytest.mark.django_db
def test_login_page_is_english_on_request(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="en">' in text
    assert "Sign in" in text
    assert "Logga in" not in text
