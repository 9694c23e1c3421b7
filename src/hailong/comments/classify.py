"""Tag a comment with the SIPAS factors it speaks about and its tone, and say why.

Two passes over the syllables of the comment (``normalise.syllables``), each taking at every
position the longest phrase of ``lexicon.yaml`` that matches:

1. factors: every ``factors.F1..F5`` term found adds its factor; a ``not_factors`` phrase
   ("làm thủ tục": doing paperwork in general) hides the terms inside it. No factor → "other".
2. tone: cues of praise, complaint, suggestion and neutral, negators and reliefs. A negator
   ("không", "chưa", "thiếu" ...) turns the first praise cue after it, within
   ``negation_window`` syllables of the same clause, into a complaint ("không lịch sự") and a
   complaint cue into praise ("không hề cáu gắt"); with no cue after it, "không có quạt" is a
   complaint. A relief ("không phải", "không bị", "khỏi phải") is praise and turns the complaint
   after it into praise ("không phải chờ lâu").
   The tone is then, in this order: suggestion if any suggestion cue is left, complaint if any
   complaint, praise if any praise, else neutral — the labelling rule of ``data/labelled.yaml``.

Every decision is kept as evidence (phrase, place in the normalised text, lexicon entry), so a
reader can see why a tag was given and which line of the lexicon to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hailong.comments.lexicon import Entry, Lexicon, default_lexicon
from hailong.comments.normalise import Syllable, normalise, syllables
from hailong.comments.tokens import word_lengths


@dataclass(frozen=True, slots=True)
class Evidence:
    """One phrase that decided a tag: ``tag`` is F1..F5 or a tone; ``start``/``end`` index the
    normalised text; ``entry`` is the lexicon phrase; ``note`` tells of a negation."""

    tag: str
    text: str
    start: int
    end: int
    entry: str
    note: str = ""


@dataclass(frozen=True)
class Tags:
    """The tags of one comment, with the normalised text the evidence points into."""

    factors: frozenset[str]
    tone: str
    evidence: list[Evidence] = field(default_factory=list)
    text: str = ""


@dataclass(frozen=True, slots=True)
class _Hit:
    entry: Entry
    i: int  # first syllable
    j: int  # one past the last syllable


def _fits(entry: Entry, syls: Sequence[Syllable], i: int, lengths: Sequence[int]) -> bool:
    n = len(entry.phrase)
    if i + n > len(syls) or syls[i + n - 1].clause != syls[i].clause:
        return False
    if n == 1 and lengths[i] != 1:
        return False  # a one-syllable cue inside a longer word: "lỗi" in "xin lỗi"
    for k in range(n):
        s = syls[i + k]
        if s.text == entry.phrase[k]:
            continue
        if entry.bare is not None and s.bare and s.text == entry.bare[k]:
            continue
        return False
    return True


def _scan(
    syls: Sequence[Syllable], lengths: Sequence[int], index: dict[str, list[Entry]]
) -> list[_Hit]:
    hits: list[_Hit] = []
    i = 0
    while i < len(syls):
        for entry in index.get(syls[i].text, ()):  # longest first
            if _fits(entry, syls, i, lengths):
                hits.append(_Hit(entry, i, i + len(entry.phrase)))
                i += len(entry.phrase)
                break
        else:
            i += 1
    return hits


def _evidence(text: str, syls: Sequence[Syllable], hit: _Hit, tag: str, note: str = "") -> Evidence:
    start, end = syls[hit.i].start, syls[hit.j - 1].end
    return Evidence(tag, text[start:end], start, end, " ".join(hit.entry.phrase), note)


def _tone(text: str, syls: Sequence[Syllable], hits: list[_Hit], window: int) -> list[Evidence]:
    out: list[Evidence] = []
    used: set[int] = set()
    for n, hit in enumerate(hits):
        if n in used:
            continue
        kind = hit.entry.kind
        if kind not in ("negator", "relief"):
            if kind != "ignore":
                out.append(_evidence(text, syls, hit, kind))
            continue
        target = None
        for m in range(n + 1, len(hits)):
            other = hits[m]
            if other.i - hit.j >= window or syls[other.i].clause != syls[hit.i].clause:
                break
            if other.entry.kind in ("praise", "complaint", "suggestion"):
                target = m
                break
        said = " ".join(hit.entry.phrase)
        if target is None:
            if kind == "relief":
                out.append(_evidence(text, syls, hit, "praise"))
            elif hit.j < len(syls) and syls[hit.j].clause == syls[hit.i].clause:
                out.append(_evidence(text, syls, hit, "complaint", "phủ định / negation"))
            continue
        used.add(target)
        cue = hits[target]
        if cue.entry.kind == "suggestion":
            continue  # "không cần", "chẳng nên": no suggestion
        flipped = "praise" if kind == "relief" or cue.entry.kind == "complaint" else "complaint"
        span = _Hit(cue.entry, hit.i, cue.j)
        out.append(
            _evidence(text, syls, span, flipped, f"«{said}» + «{' '.join(cue.entry.phrase)}»")
        )
    return out


def comment_tags(text: str, lexicon: Lexicon | None = None) -> Tags:
    """Tag one comment with its factors ("F1".."F5" or "other") and tone, with the evidence.

    >>> comment_tags("Cán bộ không lịch sự").tone
    'complaint'
    """
    lex = lexicon or default_lexicon()
    clean = normalise(text)
    syls = syllables(clean, lex.spelling)
    if not syls:
        return Tags(frozenset({"other"}), "neutral", [], clean)
    lengths = word_lengths(syls)
    evidence = [
        _evidence(clean, syls, hit, hit.entry.tag)
        for hit in _scan(syls, lengths, lex.by_first["factor"])
        if hit.entry.kind == "factor"
    ]
    factors = frozenset(e.tag for e in evidence) or frozenset({"other"})
    tone_evidence = _tone(clean, syls, _scan(syls, lengths, lex.by_first["tone"]), lex.window)
    found = {e.tag for e in tone_evidence}
    tone = next((t for t in ("suggestion", "complaint", "praise") if t in found), "neutral")
    evidence.extend(tone_evidence)
    evidence.sort(key=lambda e: (e.start, e.end))
    return Tags(factors, tone, evidence, clean)
