"""Reading typed codes: the same rules for the entry screen and the file imports."""

from __future__ import annotations

import pytest

from hailong.entry.answers import Refused, answer_parse, answers_for_storage, legend, sheet_read
from hailong.measurement.instruments import builtin_instruments

NATIONAL = next(i for i, _ in builtin_instruments() if i.code == "sipas-2023-national")
PROVINCE = next(i for i, _ in builtin_instruments() if i.code == "sipas-2017-province")


def test_codes_are_read_as_typed_on_paper() -> None:
    interests = NATIONAL.question("c1_quan_tam")  # several answers allowed
    assert answer_parse(interests, "3 1,9") == [1, 3, 9]
    assert answer_parse(interests, "  ") is None
    with pytest.raises(Refused, match="repeated"):
        answer_parse(interests, "1 1")
    item = PROVINCE.question("f1_1")
    assert answer_parse(item, "99") == 99 and ("99", "Không áp dụng") in legend(item)
    with pytest.raises(Refused) as caught:
        answer_parse(item, "6")
    assert caught.value.en == "'6' is not a valid code (choose: 1, 2, 3, 4, 5, 99)"
    with pytest.raises(Refused, match="numeric"):
        answer_parse(item, "bốn")


def test_a_sheet_is_checked_whole_and_not_applicable_is_never_stored() -> None:
    typed = {"gave_feedback": "1", "f5_1": "99", "f5_2": "4", "f1_1": "5"}
    values, problems = sheet_read(PROVINCE, typed)
    assert problems == [] and values["f5_1"] == 99
    assert answers_for_storage(PROVINCE, values) == {"gave_feedback": 1, "f5_2": 4, "f1_1": 5}
    _, problems = sheet_read(PROVINCE, {"gave_feedback": "2", "f5_2": "4"})
    assert [(p.code, p.message_en.split(": ", 1)[1]) for p in problems] == [
        ("f5_2", "must be blank, because question gave_feedback skips it")
    ]
    _, problems = sheet_read(PROVINCE, {"f1_1": "5"})
    assert [p.code for p in problems] == ["gave_feedback"]
    assert (
        problems[0].message_vi.startswith("Câu gave_feedback (")
        and "required" in problems[0].message_en
    )
