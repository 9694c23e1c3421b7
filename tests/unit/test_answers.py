"""Checking one respondent's answers against the questionnaire (measurement/answers.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hailong.entry.answers import answer_parse as entry_parse
from hailong.measurement.answers import (
    NOT_APPLICABLE,
    AnswerChecker,
    Unreadable,
    answer_parse,
    date_parse,
)
from hailong.measurement.instruments import Question, builtin_instruments, parse_instrument
from hailong.measurement.xlsform import _MISSING, _NA, _parse_value, _Refused

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


relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # busy machines
answer_values = st.one_of(st.integers(-2, 100), st.text(max_size=5), st.none(), st.booleans())


@relaxed
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


# --------------------------------------------------------------------------------------
# The one reader of typed answers (answer_parse), shared by the form, paper entry and ODK


TYPED = parse_instrument(
    {
        "schema": "hailong.instrument/1",
        "code": "go-tay",
        "version": 1,
        "title": {"vi": "Phiếu gõ tay", "en": "Typed form"},
        "scales": {"so_lan": {"type": "number", "min": 0, "max": 12}},
        "factors": [{"code": "F1", "label": "Tiếp cận"}],
        "sections": [
            {
                "code": "a",
                "title": "Phần A",
                "questions": [
                    {"code": "muc", "text": "Mức", "scale": "satisfaction5", "factor": "F1"},
                    {"code": "so_lan", "text": "Số lần", "scale": "so_lan"},
                    {"code": "so_tien", "text": "Số tiền", "scale": "number"},
                    {"code": "ngay", "text": "Ngày", "scale": "date"},
                ],
            }
        ],
    }
)
FORMS[TYPED.code] = TYPED
QUESTIONS = [q for form in FORMS.values() for q in form.questions()]


def _question(kind: str) -> Question:
    return next(q for q in QUESTIONS if q.scale.type == kind)


def test_codes_numbers_dates_and_not_applicable_are_read_alike_everywhere() -> None:
    item = FORMS["sipas-2017-province"].question("f1_1")
    assert answer_parse(item, " 4 ") == 4 and answer_parse(item, "") is None
    assert answer_parse(item, "99") == NOT_APPLICABLE
    assert answer_parse(item, "Không  áp dụng") == NOT_APPLICABLE
    with pytest.raises(Unreadable) as caught:
        answer_parse(item, "Hài lòng")  # a label is not a code
    assert caught.value.kind == "code" and "numeric option code" in caught.value.en
    several = FORMS["sipas-2023-national"].question("c1_quan_tam")
    assert answer_parse(several, ["3", "1"]) == answer_parse(several, "3;1") == [1, 3]
    number = TYPED.question("so_tien")
    assert answer_parse(number, "2,5") == answer_parse(number, "2.5") == 2.5
    assert answer_parse(number, "3") == 3 and type(answer_parse(number, "3")) is int
    with pytest.raises(Unreadable):
        answer_parse(number, "1" * 5000)  # not a crash in int()
    assert date_parse("7/3/2026") == date_parse("2026-03-07") == "2026-03-07"
    assert date_parse("2026-03-07T00:00:00", day_first=False) == "2026-03-07"
    with pytest.raises(Unreadable, match="YYYY-MM-DD"):
        date_parse("07/03/2026", day_first=False)  # a spreadsheet may have swapped them
    with pytest.raises(Unreadable):
        date_parse("30/02/2026")
    text = _question("text")
    assert answer_parse(text, "  Cán bộ tốt ") == "Cán bộ tốt"


def _typed(value: Any, sep: str) -> str:
    if isinstance(value, list):
        return sep.join(str(v) for v in value)
    return str(value)


@st.composite
def valid_answers(draw: st.DrawFn) -> tuple[Question, Any, str]:
    q = draw(
        st.sampled_from([q for q in QUESTIONS if q.scale.type in ("ordinal", "choice", "multi")])
    )
    codes = [o.value for o in q.scale.options]
    if q.scale.type == "multi":
        value: Any = sorted(draw(st.lists(st.sampled_from(codes), min_size=1, unique=True)))
        shuffled = draw(st.permutations(value))
        text = _typed(shuffled, draw(st.sampled_from([" ", ",", ", ", ";", "+", "  "])))
    else:
        value = draw(st.sampled_from(codes))
        text = str(value)
    pad = draw(st.sampled_from(["", " ", "\t", "  "]))
    return q, value, pad + text + pad


@relaxed
@given(valid_answers())
def test_every_code_typed_any_way_reads_back_to_itself(case: tuple[Question, Any, str]) -> None:
    question, value, text = case
    assert answer_parse(question, text) == value
    assert question.scale.accepts(value)


@relaxed
@given(st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3)), st.booleans())
def test_a_number_reads_back_with_a_decimal_point_or_comma(number: float, comma: bool) -> None:
    q = TYPED.question("so_lan" if abs(number) < 20 else "so_tien")
    text = repr(number) if "e" not in repr(number) else f"{number:.3f}"
    typed = text.replace(".", ",") if comma else text
    if q.scale.accepts(number):
        assert answer_parse(q, typed) == number
    else:
        with pytest.raises(Unreadable, match="outside the allowed range"):
            answer_parse(q, typed)


@relaxed
@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.booleans())
def test_a_date_reads_back_written_either_way(day: dt.date, slashed: bool) -> None:
    text = f"{day.day}/{day.month}/{day.year}" if slashed else day.isoformat()
    assert date_parse(text) == day.isoformat()


typed_texts = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"\s?[0-9 ,;+./-]{0,12}\s?", fullmatch=True),
    st.sampled_from(["99", "không áp dụng", "1 99", "2,5", "27/11/2026", "2026-11-27", "1 1"]),
)


@relaxed
@given(st.sampled_from(QUESTIONS), typed_texts)
def test_any_text_is_read_onto_its_scale_or_refused_with_a_reason(
    question: Question, text: str
) -> None:
    """Never another exception, never a value off the scale; the three channels agree."""
    try:
        value = answer_parse(question, text)
    except Unreadable as refusal:
        assert refusal.vi and refusal.en
        with pytest.raises(Unreadable):
            entry_parse(question, text)
        if "/" not in text:  # ODK exports alone refuse a slashed date
            with pytest.raises(_Refused):
                _parse_value(text, question)
        return
    assert answer_parse(question, f" {text}\n") == value
    assert entry_parse(question, text) == value
    typed, problems = AnswerChecker(_form_of(question)).parse_fields({question.code: [text]})
    assert problems == [] and typed.get(question.code) == value
    if question.scale.type == "date" and "/" in text:
        with pytest.raises(_Refused):  # ODK exports alone refuse a slashed date
            _parse_value(text, question)
    elif value is None:
        assert not text.strip() and _parse_value(text, question) is _MISSING
    elif value == NOT_APPLICABLE and question.not_applicable and question.scale.type != "number":
        assert _parse_value(text, question) is _NA
    else:
        assert question.scale.accepts(value) and _parse_value(text, question) == value


def _form_of(question: Question) -> Any:
    return next(f for f in FORMS.values() if any(q is question for q in f.questions()))


@relaxed
@given(
    st.dictionaries(
        st.sampled_from(sorted(PROVINCE.questions)),
        st.lists(
            st.one_of(st.sampled_from(["1", "4", "5", "99", "6", " 4", "04"]), typed_texts),
            max_size=2,
        ),
    )
)
def test_form_fields_read_by_lookup_are_read_as_the_reader_reads_them(
    fields: dict[str, list[str]],
) -> None:
    typed, problems = PROVINCE.parse_fields(fields)
    for code, texts in fields.items():
        question = PROVINCE.questions[code]
        try:
            value = answer_parse(question, texts)
        except Unreadable:
            assert code in {p.question for p in problems} and code not in typed
            continue
        assert typed.get(code) == value
