"""Read ``lexicon.yaml``: the words and phrases that tag a comment, in a file a coordinator edits.

Each entry is a phrase of one or more syllables. An entry is also matched on its diacritic-less
form ("phong cho" for "phòng chờ") when three things hold: it has at least two syllables (one
bare syllable is too ambiguous: "cho" is "cho", "chờ", "chó", "chợ" ...), each syllable of the
comment that it meets was written without diacritics, and no entry of another kind or tag in the
same list has the same diacritic-less form. One-syllable short forms go in ``spelling:`` instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hailong.comments.normalise import normalise, strip_diacritics

FACTORS = ("F1", "F2", "F3", "F4", "F5")
TONES = ("complaint", "suggestion", "praise", "neutral")
# kinds of entry in the tone pass
CUE_KINDS = ("praise", "complaint", "suggestion", "neutral", "negator", "relief", "ignore")


class LexiconError(ValueError):
    """The lexicon file is not as described; the message names the bad element."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One phrase: ``kind`` is "factor" or a tone-pass kind; ``tag`` is F1..F5 or the kind."""

    phrase: tuple[str, ...]
    kind: str
    tag: str
    bare: tuple[str, ...] | None = None  # the diacritic-less form, when it may be matched


@dataclass(frozen=True)
class Lexicon:
    """The compiled lexicon: one list of entries for the factor pass, one for the tone pass."""

    factor_names: dict[str, str]
    spelling: dict[str, str]
    factor_entries: tuple[Entry, ...]
    tone_entries: tuple[Entry, ...]
    window: int
    by_first: dict[str, dict[str, list[Entry]]] = field(default_factory=dict)


def _phrases(value: Any, where: str) -> list[tuple[str, ...]]:
    if not isinstance(value, list):
        raise LexiconError(f"{where}: expected a list of phrases")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not normalise(item):
            raise LexiconError(f"{where}[{i}]: expected a non-empty phrase, got {item!r}")
        out.append(tuple(normalise(item).lower().split()))
    return out


def _with_bare(entries: list[Entry]) -> tuple[Entry, ...]:
    """Allow diacritic-less matching where the stripped form is unambiguous (module docstring)."""
    owners: dict[tuple[str, ...], set[tuple[str, str]]] = defaultdict(set)
    for e in entries:
        owners[tuple(strip_diacritics(s) for s in e.phrase)].add((e.kind, e.tag))
    out = []
    for e in entries:
        bare = tuple(strip_diacritics(s) for s in e.phrase)
        ok = len(e.phrase) >= 2 and len(owners[bare]) == 1
        out.append(Entry(e.phrase, e.kind, e.tag, bare if ok else None))
    return tuple(out)


def _index(entries: tuple[Entry, ...]) -> dict[str, list[Entry]]:
    index: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        index[e.phrase[0]].append(e)
        if e.bare is not None and e.bare[0] != e.phrase[0]:
            index[e.bare[0]].append(e)
    for bucket in index.values():
        bucket.sort(key=lambda e: -len(e.phrase))
    return dict(index)


def lexicon_parse(data: Any) -> Lexicon:
    """Check and compile the parsed YAML of a lexicon."""
    if not isinstance(data, dict):
        raise LexiconError("lexicon: expected a mapping with factors, tone, spelling")
    factors = data.get("factors")
    if not isinstance(factors, dict) or set(factors) != set(FACTORS):
        raise LexiconError(f"factors: expected exactly {', '.join(FACTORS)}")
    names: dict[str, str] = {}
    factor_entries: list[Entry] = []
    for code in FACTORS:
        block = factors[code]
        if not isinstance(block, dict) or not isinstance(block.get("name"), str):
            raise LexiconError(f"factors.{code}: expected a name and a list of terms")
        names[code] = block["name"]
        for p in _phrases(block.get("terms"), f"factors.{code}.terms"):
            factor_entries.append(Entry(p, "factor", code))
    for p in _phrases(data.get("not_factors", []), "not_factors"):
        factor_entries.append(Entry(p, "ignore", "ignore"))
    tone = data.get("tone")
    if not isinstance(tone, dict) or not set(tone) <= set(CUE_KINDS):
        raise LexiconError(f"tone: expected some of {', '.join(CUE_KINDS)}")
    tone_entries = [
        Entry(p, kind, kind)
        for kind in CUE_KINDS
        for p in _phrases(tone.get(kind, []), f"tone.{kind}")
    ]
    spelling = data.get("spelling", {})
    if not isinstance(spelling, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in spelling.items()
    ):
        raise LexiconError("spelling: expected short form: what it stands for")
    window = data.get("negation_window", 4)
    if not isinstance(window, int) or not 1 <= window <= 10:
        raise LexiconError("negation_window: expected a whole number from 1 to 10")
    fe, te = _with_bare(factor_entries), _with_bare(tone_entries)
    return Lexicon(
        factor_names=names,
        spelling={normalise(k).lower(): normalise(v).lower() for k, v in spelling.items()},
        factor_entries=fe,
        tone_entries=te,
        window=window,
        by_first={"factor": _index(fe), "tone": _index(te)},
    )


def lexicon_load(path: str | Path | None = None) -> Lexicon:
    """Load a lexicon file; without a path, the one shipped with hailong."""
    if path is None:
        return default_lexicon()
    with open(path, encoding="utf-8") as fh:
        return lexicon_parse(yaml.safe_load(fh))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicon, read once."""
    text = resources.files("hailong.comments").joinpath("lexicon.yaml").read_text("utf-8")
    return lexicon_parse(yaml.safe_load(text))
