"""Vietnamese comes first: every string is translated and the compiled catalogue is current."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "hailong" / "locale" / "vi" / "LC_MESSAGES"


def test_every_string_has_a_vietnamese_translation() -> None:
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert missing == [] and fuzzy == []


def test_the_compiled_catalogue_matches_the_source(tmp_path: Path) -> None:
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is missing: run 'make system' (installs gettext)")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(LOCALE / "django.po")], check=True)

    def entries(path: Path) -> list[tuple[str, str, tuple[str, ...]]]:
        return sorted(
            (e.msgid, e.msgstr, tuple(e.msgstr_plural.values())) for e in polib.mofile(str(path))
        )

    assert entries(fresh) == entries(LOCALE / "django.mo"), (
        "run 'make messages' and commit django.mo"
    )


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    """A string added to a template or a view without its translation shows English on a
    Vietnamese page: extract them all as ``make messages`` does and compare."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: run 'make system' (installs gettext)")
    source = LOCALE.parents[2]
    tree = tmp_path / "hailong"
    shutil.copytree(source, tree, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "vi", "--no-obsolete",
         "--no-location", "-i", "tests/*"],
        cwd=tree, check=True, capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "hailong.settings.base"},
    )  # fmt: skip
    extracted = polib.pofile(str(tree / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in extracted if not e.translated()]
    assert missing == [], "translate these in django.po, then 'make messages': " + repr(missing)
