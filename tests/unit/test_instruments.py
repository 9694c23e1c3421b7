"""Instrument files: the built-in ones load, and every kind of broken file is refused by path."""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import pytest

from hailong.measurement import InstrumentError, builtin_instruments, parse_instrument


def minimal() -> dict[str, Any]:
    return {
        "schema": "hailong.instrument/1",
        "code": "t",
        "version": 1,
        "title": {"vi": "Phiếu thử", "en": "Test form"},
        "factors": [{"code": "F1", "label": "Tiếp cận"}, {"code": "F2", "label": "Thủ tục"}],
        "sections": [
            {
                "code": "S",
                "title": "Phần",
                "questions": [
                    {"code": "a", "text": "Câu a", "scale": "satisfaction5", "factor": "F1"},
                    {"code": "b", "text": "Câu b", "scale": "satisfaction5", "factor": "F2"},
                    {"code": "fb", "text": "Có góp ý?", "scale": "yes_no", "role": "screening"},
                    {
                        "code": "c",
                        "text": "Câu c",
                        "scale": "satisfaction5",
                        "factor": "F2",
                        "show_if": {"question": "fb", "in": [1]},
                    },
                ],
            }
        ],
    }


def test_builtin_instruments_have_the_documented_items() -> None:
    counts = {i.code: len(i.items()) for i, _ in builtin_instruments()}
    assert counts == {
        "sipas-2017-province": 22,
        "sipas-2023-national": 33,
        "desk-quick": 5,
        "skm-indonesia": 9,
    }


def test_province_form_asks_factor_5_only_after_feedback() -> None:
    form = next(i for i, _ in builtin_instruments() if i.code == "sipas-2017-province")
    assert [len(form.items(f.code)) for f in form.factors] == [4, 5, 6, 3, 4]
    for item in form.items("F5"):
        assert item.show_if is not None and item.show_if.holds({item.show_if.question: 1})
        assert not item.show_if.holds({item.show_if.question: 2})


def test_national_form_has_policy_and_service_parts() -> None:
    form = next(i for i, _ in builtin_instruments() if i.code == "sipas-2023-national")
    assert {p.code for p in form.parts} == {"policy", "service"}
    assert form.aggregation.overall == "mean_of_parts"


def test_minimal_instrument_parses() -> None:
    form = parse_instrument(minimal())
    assert [q.code for q in form.items("F2")] == ["b", "c"]
    assert form.question("a").scale.top == frozenset({4, 5})


def test_weights_are_exact_fractions() -> None:
    raw = minimal()
    raw["aggregation"] = {"overall": "weighted", "weights": {"F1": "1/3", "F2": "2/3"}}
    assert dict(parse_instrument(raw).aggregation.weights) == {
        "F1": Fraction(1, 3),
        "F2": Fraction(2, 3),
    }


def broken(change: str) -> dict[str, Any]:
    raw = copy.deepcopy(minimal())
    qs = raw["sections"][0]["questions"]
    if change == "unknown factor":
        qs[0]["factor"] = "F9"
    elif change == "duplicate code":
        qs[1]["code"] = "a"
    elif change == "skip names unknown":
        qs[3]["show_if"]["question"] = "zz"
    elif change == "skip names later":
        qs[0]["show_if"] = {"question": "fb", "in": [1]}
    elif change == "skip value outside scale":
        qs[3]["show_if"]["in"] = [7]
    elif change == "weights do not sum to 1":
        raw["aggregation"] = {"overall": "weighted", "weights": {"F1": "0.11", "F2": "0.88"}}
    elif change == "float weight":
        raw["aggregation"] = {"overall": "weighted", "weights": {"F1": 0.5, "F2": 0.5}}
    elif change == "factor without items":
        raw["factors"].append({"code": "F3", "label": "Trống"})
    elif change == "unknown scale":
        qs[0]["scale"] = "stars10"
    elif change == "missing vietnamese label":
        qs[0]["text"] = {"en": "Only English"}
    elif change == "item on a text scale":
        qs[0]["scale"] = "text"
    return raw


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ("unknown factor", "sections[0].questions[0].factor"),
        ("duplicate code", "sections[0].questions[1].code"),
        ("skip names unknown", "sections[0].questions[3].show_if.question"),
        ("skip names later", "sections[0].questions[0].show_if.question"),
        ("skip value outside scale", "sections[0].questions[3].show_if.in"),
        ("weights do not sum to 1", "aggregation.weights"),
        ("float weight", "aggregation.weights.F1"),
        ("factor without items", "factors[2]"),
        ("unknown scale", "sections[0].questions[0].scale"),
        ("missing vietnamese label", "sections[0].questions[0].text"),
        ("item on a text scale", "sections[0].questions[0].scale"),
    ],
)
def test_a_broken_instrument_is_refused_with_the_path_of_the_bad_element(
    change: str, path: str
) -> None:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(broken(change))
    assert caught.value.path == path
    assert caught.value.message_vi and caught.value.message_en


def test_scales_accept_only_their_codes() -> None:
    scale = parse_instrument(minimal()).question("a").scale
    assert scale.accepts(4)
    for bad in (0, 6, "4", 4.0, True, None, [4]):
        assert not scale.accepts(bad)


def test_the_time_a_respondent_is_told_grows_with_the_questions() -> None:
    from hailong.measurement.instruments import BUILTIN_DIR, load_instrument

    minutes = {
        p.name: load_instrument(p)[0].minutes_to_answer() for p in BUILTIN_DIR.glob("*.yaml")
    }
    assert minutes["a-sipas-2017-province.yaml"] == 5  # as the province announces it
    assert minutes["c-desk-quick.yaml"] == 1
    assert minutes["b-sipas-2023-national.yaml"] == 9
