"""Checking one respondent's answers against the questionnaire (measurement/answers.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hailong.measurement.answers import NOT_APPLICABLE, AnswerChecker
from hailong.measurement.instruments import builtin_instruments

FORMS = {i.code: i for i, _ in builtin_instruments()}
PROVINCE = AnswerChecker(FORMS["sipas-2017-province"])
DESK = AnswerChecker(FORMS["desk-quick"])


def test_a_complete_desk_answer_passes_and_not_applicable_is_dropped() -> None:
    checked = DESK.check({"tiep_can": 5, "gop_y": NOT_APPLICABLE, "tong_the": 4, "y_kien": " Tốt "})
    assert checked.ok and checked.answers == {"tiep_can": 5, "tong_the": 4, "y_kien": "Tốt"}
    assert checked.not_applicable == {"gop_y"}


def test_text_is_stored_in_nfc() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Cán bộ nhiệt tình")
    stored = DESK.check({"tong_the": 5, "y_kien": nfd}).answers["y_kien"]
    assert stored == unicodedata.normalize("NFC", nfd) and stored != nfd
    assert "y_kien" not in DESK.check({"tong_the": 5, "y_kien": "   "}).answers  # no answer


def test_every_problem_is_named_with_its_kind() -> None:
    checked = DESK.check(
        {"tiep_can": 0, "thu_tuc": "4", "cong_chuc": True, "x": 1, "tong_the": NOT_APPLICABLE}
    )
    kinds = {p.question: p.kind for p in checked.problems}
    assert kinds == {
        "tiep_can": "value",
        "thu_tuc": "value",
        "cong_chuc": "value",
        "x": "unknown",
        "tong_the": "not_applicable",
    }
    assert all(p.vi and p.en for p in checked.problems)
    missing = DESK.check({"tiep_can": 5})
    assert [(p.question, p.kind) for p in missing.problems] == [("tong_the", "required")]


def test_skip_rules_refuse_or_drop_hidden_answers() -> None:
    answers = {"gave_feedback": 2, "f5_1": 4}  # "no feedback given" hides factor 5
    refused = PROVINCE.check(answers)
    assert [(p.question, p.kind) for p in refused.problems] == [("f5_1", "skipped")]
    dropped = PROVINCE.check(answers, drop_hidden=True)
    assert dropped.ok and dropped.answers == {"gave_feedback": 2}
    assert PROVINCE.check({"gave_feedback": 1, "f5_1": 4}).ok


def test_form_fields_become_typed_values() -> None:
    typed, problems = PROVINCE.parse_fields({"f1_1": ["4"], "f5_1": [""], "other": ["x"]})
    assert typed == {"f1_1": 4} and problems == []
    _, bad = PROVINCE.parse_fields({"f1_1": ["bốn"]})
    assert bad[0].question == "f1_1" and "option code" in bad[0].en


answer_values = st.one_of(st.integers(-2, 100), st.text(max_size=5), st.none(), st.booleans())


@given(st.dictionaries(st.sampled_from([*sorted(PROVINCE.questions), "zz"]), answer_values))
def test_checking_never_keeps_a_value_off_its_scale_and_ignores_order(raw: dict[str, Any]) -> None:
    checked = PROVINCE.check(raw)
    again = PROVINCE.check(dict(reversed(list(raw.items()))))
    assert checked.answers == again.answers
    assert {p.question for p in checked.problems} == {p.question for p in again.problems}
    for code, value in checked.answers.items():
        question = PROVINCE.questions[code]
        assert value != NOT_APPLICABLE and question.scale.accepts(value)
    assert set(checked.answers) <= set(raw)
