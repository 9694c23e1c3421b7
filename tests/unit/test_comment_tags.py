"""The comment tagger against the labelled set: precision and recall per tag, printed and held.

The set (src/hailong/comments/data/labelled.yaml) was written and labelled before the lexicon;
its ``held_out`` slice was not used to tune the lexicon and is reported apart. The issue's bar,
0.8 for every tag, is asserted on the whole set.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from importlib import resources

import pytest
import yaml

from hailong.comments import comment_tags, lexicon_load
from hailong.comments.lexicon import LexiconError, lexicon_parse

TAGS = ("F1", "F2", "F3", "F4", "F5", "other", "complaint", "suggestion", "praise", "neutral")
BAR = 0.8


def _labelled() -> dict[str, list[dict]]:
    text = resources.files("hailong.comments").joinpath("data/labelled.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _scores(items: list[dict]) -> dict[str, tuple[float, float, int]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for item in items:
        tags = comment_tags(item["text"])
        gold = set(item["factors"]) | {item["tone"]}
        got = set(tags.factors) | {tags.tone}
        tp.update(gold & got)
        fp.update(got - gold)
        fn.update(gold - got)
    out = {}
    for tag in TAGS:
        precision = tp[tag] / (tp[tag] + fp[tag]) if tp[tag] + fp[tag] else 0.0
        recall = tp[tag] / (tp[tag] + fn[tag]) if tp[tag] + fn[tag] else 0.0
        out[tag] = (precision, recall, tp[tag] + fn[tag])
    return out


def test_labelled_set_is_large_and_well_formed() -> None:
    data = _labelled()
    assert len(data["tuning"]) + len(data["held_out"]) >= 320
    assert len(data["held_out"]) >= 80
    texts = [i["text"] for part in data.values() for i in part]
    assert len(texts) == len(set(texts))
    for item in (i for part in data.values() for i in part):
        assert item["tone"] in TAGS[6:]
        assert set(item["factors"]) <= set(TAGS[:6]) and item["factors"]
        assert "other" not in item["factors"] or item["factors"] == ["other"]


def test_precision_and_recall_per_tag(comment_report: list[str]) -> None:
    data = _labelled()
    full = _scores(data["tuning"] + data["held_out"])
    held = _scores(data["held_out"])
    n_full = len(data["tuning"]) + len(data["held_out"])
    comment_report.append(
        f"{'tag':<11}{'precision':>10}{'recall':>8}{'n':>5}   "
        f"held out: {'precision':>9}{'recall':>8}{'n':>4}"
    )
    for tag in TAGS:
        p, r, n = full[tag]
        hp, hr, hn = held[tag]
        comment_report.append(
            f"{tag:<11}{p:>10.2f}{r:>8.2f}{n:>5}   {'':>10}{hp:>9.2f}{hr:>8.2f}{hn:>4}"
        )
    comment_report.append(
        f"whole set {n_full} comments, held out {len(data['held_out'])}; bar {BAR} on the whole set"
    )
    low = {t: v[:2] for t, v in full.items() if min(v[:2]) < BAR}
    assert not low, f"below {BAR} on the whole set: {low}"


@pytest.mark.parametrize(
    ("text", "factors", "tone"),
    [
        ("Cán bộ không lịch sự", {"F3"}, "complaint"),
        ("Cán bộ lịch sự", {"F3"}, "praise"),
        ("Không phải chờ lâu", {"F1"}, "praise"),
        ("Phải chờ lâu", {"F1"}, "complaint"),
        ("Cán bộ thiếu nhiệt tình", {"F3"}, "complaint"),
        ("Cán bộ không hề cáu gắt", {"F3"}, "praise"),
        ("can bo ko lich su", {"F3"}, "complaint"),
        ("Nên thêm ghế chờ", {"F1"}, "suggestion"),
        ("Chỉ cần căn cước là xong, không cần photo", {"F2"}, "praise"),
        ("Kết quả đúng hẹn nên tôi rất hài lòng", {"F4"}, "praise"),
        ("Cán bộ xin lỗi vì chờ", {"F1", "F3"}, "neutral"),
        ("Không có ý kiến", {"other"}, "neutral"),
        ("", {"other"}, "neutral"),
    ],
)
def test_negation_and_cues(text: str, factors: set[str], tone: str) -> None:
    tags = comment_tags(text)
    assert (set(tags.factors), tags.tone) == (factors, tone)


def test_evidence_points_into_the_normalised_text() -> None:
    written = unicodedata.normalize("NFD", "Cán bộ   không lịch sự,  trả\tkết quả trễ hẹn ")
    tags = comment_tags(written)
    assert tags.text == "Cán bộ không lịch sự, trả kết quả trễ hẹn"
    assert (set(tags.factors), tags.tone) == ({"F3", "F4"}, "complaint")
    for ev in tags.evidence:
        assert tags.text[ev.start : ev.end] == ev.text
    tags = comment_tags("Nhân viên không lịch sự")
    negated = [e for e in tags.evidence if e.note]
    assert [(e.tag, e.text) for e in negated] == [("complaint", "không lịch sự")]


def test_short_forms_and_diacritic_less_phrases() -> None:
    tags = comment_tags("cb ko nhiet tinh, kq tre hen")
    assert set(tags.factors) == {"F3", "F4"} and tags.tone == "complaint"
    # one syllable without diacritics is too ambiguous to match: "cho" is not "chờ"
    assert comment_tags("cho toi hoi").factors == frozenset({"other"})


def test_a_lexicon_error_names_the_element(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LexiconError, match=r"factors\.F2\.terms\[1\]"):
        lexicon_parse(
            {
                "factors": {
                    f"F{i}": {"name": "x", "terms": ["a", "" if i == 2 else "b"]}
                    for i in range(1, 6)
                },
                "tone": {},
            }
        )
    path = tmp_path / "lexicon.yaml"
    path.write_text("factors: {}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="factors: expected exactly F1"):
        lexicon_load(path)
