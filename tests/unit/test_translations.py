"""Vietnamese comes first: every string is translated and the compiled catalogue is current."""

from __future__ import annotations

import shutil
import subprocess
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
