"""XLSForm export for ODK Collect / KoboCollect, and reading their submission exports back."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any, Literal

import openpyxl
import pytest

from hailong.measurement import (
    Instrument,
    InstrumentError,
    MeasurementError,
    Problem,
    Submission,
    SubmissionError,
    builtin_instruments,
    code_from_xlsform_name,
    parse_instrument,
    read_submissions,
    to_xlsform,
    xlsform_name,
)

BUILTIN = {i.code: i for i, _ in builtin_instruments()}
VI, EN = "label::Tiếng Việt (vi)", "label::English (en)"
KOBO_META = [
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]
CENTRAL_META = [
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]


def export(instrument: Instrument) -> dict[str, list[dict[str, str]]]:
    """Export to memory and read every sheet back as dicts keyed by the header."""
    buffer = io.BytesIO()
    to_xlsform(instrument, buffer)
    buffer.seek(0)
    workbook = openpyxl.load_workbook(buffer)
    sheets: dict[str, list[dict[str, str]]] = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        sheets[sheet.title] = [
            {h: ("" if v is None else str(v)) for h, v in zip(header, row, strict=False)}
            for row in rows[1:]
        ]
    return sheets


def headers(instrument: Instrument) -> list[str]:
    buffer = io.BytesIO()
    to_xlsform(instrument, buffer)
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer)["survey"]
    return [str(h) for h in next(sheet.iter_rows(values_only=True))]


def kobo_columns(instrument: Instrument, separator: str = "/") -> dict[str, str]:
    """Question code → the column KoboToolbox would head it with, walked from our own XLSForm."""
    groups: list[str] = []
    columns: dict[str, str] = {}
    for row in export(instrument)["survey"]:
        kind = row["type"]
        if kind == "begin group":
            groups.append(row["name"])
        elif kind == "end group":
            groups.pop()
        elif kind.split(" ")[0] in ("select_one", "select_multiple", "text", "decimal", "date"):
            columns[code_from_xlsform_name(row["name"])] = separator.join([*groups, row["name"]])
    return columns


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]], delimiter: str) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def kobo_export(
    tmp_path: Path,
    instrument: Instrument,
    submissions: list[dict[str, str]],
    extra_columns: tuple[str, ...] = (),
) -> Path:
    """A KoboToolbox CSV export: ';'-separated, '/' group separator, metadata columns."""
    columns = kobo_columns(instrument)
    header = ["start", "end", *columns.values(), *extra_columns, *KOBO_META]
    rows = []
    for n, answers in enumerate(submissions, start=1):
        row = {columns[code]: value for code, value in answers.items() if code in columns}
        row.update(
            {
                "start": "2025-03-04T08:00:00.000+07:00",
                "end": "2025-03-04T08:04:00.000+07:00",
                "meta/instanceID": f"uuid:0000-{n}",
                "_id": str(1000 + n),
                "_uuid": f"0000-{n}",
                "_submission_time": f"2025-03-04T01:0{n}:00",
                "__version__": "vAbCdEf",
                "_index": str(n),
            }
        )
        row.update({k: v for k, v in answers.items() if k not in columns})
        rows.append(row)
    return write_csv(tmp_path / "kobo.csv", header, rows, ";")


def problems_of(
    path: Path, instrument: Instrument, fmt: Literal["csv", "xlsx"] = "csv"
) -> list[Problem]:
    with pytest.raises(SubmissionError) as refused:
        read_submissions(instrument, path, fmt=fmt)
    return refused.value.problems


# --------------------------------------------------------------------------------------
# Export


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_every_builtin_instrument_exports_the_three_xlsform_sheets(code: str) -> None:
    instrument = BUILTIN[code]
    buffer = io.BytesIO()
    to_xlsform(instrument, buffer)
    buffer.seek(0)
    assert openpyxl.load_workbook(buffer).sheetnames == ["survey", "choices", "settings"]
    assert headers(instrument)[:6] == ["type", "name", VI, EN, "required", "relevant"]
    sheets = export(instrument)
    assert list(sheets["choices"][0]) == ["list_name", "name", VI, EN]
    assert sheets["settings"] == [
        {
            "form_title": instrument.title.vi,
            "form_id": instrument.code,
            "version": str(instrument.version),
            "default_language": "Tiếng Việt (vi)",
        }
    ]


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_every_question_appears_once_with_its_type_and_both_labels(code: str) -> None:
    instrument = BUILTIN[code]
    rows = {r["name"]: r for r in export(instrument)["survey"] if r["name"]}
    for q in instrument.questions():
        row = rows[xlsform_name(q.code)]
        expected = {
            "ordinal": "select_one",
            "choice": "select_one",
            "multi": "select_multiple",
            "text": "text",
            "number": "decimal",
            "date": "date",
        }[q.scale.type]
        assert row["type"].split(" ")[0] == expected
        assert row[VI] == q.text.vi
        assert row[EN] == q.text.get("en")
        assert row["required"] == ("yes" if q.required else "")


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_each_section_is_a_group_titled_like_the_section(code: str) -> None:
    instrument = BUILTIN[code]
    survey = export(instrument)["survey"]
    begins = [r for r in survey if r["type"] == "begin group"]
    assert [(r["name"], r[VI], r[EN]) for r in begins] == [
        (xlsform_name(s.code), s.title.vi, s.title.get("en")) for s in instrument.sections
    ]
    assert sum(r["type"] == "end group" for r in survey) == len(instrument.sections)
    depth = 0
    for row in survey:
        depth += {"begin group": 1, "end group": -1}.get(row["type"], 0)
        assert depth in (0, 1)
        if row["type"].startswith("select") or row["type"] in ("text", "decimal", "date"):
            assert depth == 1


def test_the_form_records_start_and_end_times_and_shows_the_description_as_a_note() -> None:
    survey = export(BUILTIN["desk-quick"])["survey"]
    assert [(r["type"], r["name"]) for r in survey[:3]] == [
        ("start", "start"),
        ("end", "end"),
        ("note", "_intro"),
    ]
    description = BUILTIN["desk-quick"].description
    assert description is not None and survey[2][VI] == description.vi


def test_factor_5_items_of_the_province_form_are_relevant_only_after_feedback() -> None:
    form = BUILTIN["sipas-2017-province"]
    rows = {r["name"]: r for r in export(form)["survey"]}
    for item in form.items("F5"):
        assert rows[item.code]["relevant"] == "${gave_feedback} = 1"
    for item in form.items("F1"):
        assert rows[item.code]["relevant"] == ""
    assert rows["gave_feedback"]["required"] == "yes"


def test_each_scale_in_use_is_a_choices_list_of_its_option_codes() -> None:
    form = BUILTIN["sipas-2017-province"]
    choices = export(form)["choices"]
    lists: dict[str, list[tuple[str, str, str]]] = {}
    for row in choices:
        lists.setdefault(row["list_name"], []).append((row["name"], row[VI], row[EN]))
    gioi_tinh = form.question("gioi_tinh").scale
    assert lists["gioi_tinh"] == [
        (str(o.value), o.label.vi, o.label.get("en")) for o in gioi_tinh.options
    ]
    assert [name for name, _, _ in lists["yes_no"]] == ["1", "2"]
    assert "satisfaction5" not in lists  # every rating there offers "not applicable"
    assert lists["satisfaction5_na"][-1] == ("99", "Không áp dụng", "Not applicable")
    assert [name for name, _, _ in lists["satisfaction5_na"]] == ["1", "2", "3", "4", "5", "99"]
    assert "agreement5" not in lists  # scales no question uses are left out


def test_not_applicable_is_offered_only_on_questions_that_allow_it() -> None:
    rows = {r["name"]: r for r in export(BUILTIN["desk-quick"])["survey"]}
    assert rows["tiep_can"]["type"] == "select_one satisfaction5_na"
    assert rows["tong_the"]["type"] == "select_one satisfaction5"
    lists = {r["list_name"] for r in export(BUILTIN["desk-quick"])["choices"]}
    assert lists == {"satisfaction5", "satisfaction5_na"}


def test_multi_select_questions_use_select_multiple_with_their_scale_list() -> None:
    rows = {r["name"]: r for r in export(BUILTIN["sipas-2023-national"])["survey"]}
    assert rows["c1_quan_tam"]["type"] == "select_multiple chinh_sach"
    assert rows["c2_kenh_thong_tin"]["type"] == "select_multiple kenh_thong_tin"


def small(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "schema": "hailong.instrument/1",
        "code": "thu-nghiem",
        "version": 2,
        "title": {"vi": "Phiếu thử", "en": "Test form"},
        "scales": {
            "kenh": {
                "type": "multi",
                "options": [
                    {"value": 1, "label": {"vi": "Báo", "en": "Press"}},
                    {"value": 2, "label": {"vi": "Đài", "en": "Radio"}},
                    {"value": 3, "label": {"vi": "Mạng", "en": "Web"}},
                ],
            },
            "so_lan": {"type": "number", "min": 0, "max": 12},
        },
        "factors": [{"code": "F1", "label": "Tiếp cận"}],
        "sections": [
            {
                "code": "phan.a",
                "title": "Phần A",
                "questions": [
                    {
                        "code": "q1.a",
                        "text": "Câu 1a",
                        "scale": "satisfaction5",
                        "factor": "F1",
                        "not_applicable": True,
                    },
                    {"code": "kenh", "text": "Kênh", "scale": "kenh", "not_applicable": True},
                    {
                        "code": "kenh-ly-do",
                        "text": "Vì sao?",
                        "scale": "text",
                        "show_if": {"question": "kenh", "in": [3, 1]},
                    },
                    {
                        "code": "hai_long",
                        "text": "Vì sao hài lòng?",
                        "scale": "text",
                        "show_if": {"question": "q1.a", "in": [5, 4]},
                    },
                    {"code": "so_lan", "text": "Số lần", "scale": "so_lan"},
                    {"code": "ngay", "text": "Ngày", "scale": "date", "required": True},
                ],
            }
        ],
    }
    raw.update(overrides)
    return raw


def test_a_skip_rule_on_a_multi_select_uses_selected_joined_with_or() -> None:
    rows = {r["name"]: r for r in export(parse_instrument(small()))["survey"]}
    assert rows[xlsform_name("kenh-ly-do")]["relevant"] == (
        "selected(${kenh}, '1') or selected(${kenh}, '3')"
    )


def test_a_skip_rule_with_several_values_joins_comparisons_with_or() -> None:
    rows = {r["name"]: r for r in export(parse_instrument(small()))["survey"]}
    assert rows["hai_long"]["relevant"] == "${_q1_2e_a} = 4 or ${_q1_2e_a} = 5"


def test_numbers_texts_and_multi_selects_carry_a_constraint_mirroring_the_scale() -> None:
    rows = {r["name"]: r for r in export(parse_instrument(small()))["survey"]}
    assert rows["so_lan"]["type"] == "decimal"
    assert rows["so_lan"]["constraint"] == ". >= 0 and . <= 12"
    assert rows["hai_long"]["constraint"] == "string-length(.) <= 2000"
    assert rows["kenh"]["constraint"] == "not(selected(., '99')) or count-selected(.) = 1"
    assert rows["kenh"]["constraint_message::English (en)"]
    assert rows["ngay"]["type"] == "date"


def test_codes_that_are_not_plain_names_are_mapped_reversibly() -> None:
    assert xlsform_name("f1_1") == "f1_1"
    assert xlsform_name("q1.a") == "_q1_2e_a"
    assert xlsform_name("kenh-ly_do") == "_kenh_2d_ly__do"
    for code in ("q1.a", "a-b.c_d", "x__y.z", "thang đo", "f1_1", "A.1-"):
        name = xlsform_name(code)
        assert code_from_xlsform_name(name) == code
        assert name[0].isalpha() or name[0] == "_"
        assert all(c.isascii() and (c.isalnum() or c == "_") for c in name)
    assert xlsform_name("a.b") != xlsform_name("a_b") != xlsform_name("a-b")


def test_dotted_codes_become_valid_xlsform_names_in_the_workbook() -> None:
    sheets = export(parse_instrument(small()))
    names = [r["name"] for r in sheets["survey"] if r["name"]]
    assert "_q1_2e_a" in names and "_phan_2e_a" in names and "_kenh_2d_ly_2d_do" in names
    assert all(name.replace("_", "a").isalnum() for name in names)


def test_a_question_code_that_clashes_with_a_reserved_name_is_refused() -> None:
    raw = small()
    raw["sections"][0]["questions"][-1]["code"] = "start"
    with pytest.raises(InstrumentError) as refused:
        to_xlsform(parse_instrument(raw), io.BytesIO())
    assert refused.value.path == "sections[0].questions[5].code"


def test_a_not_applicable_question_on_a_scale_that_already_uses_99_is_refused() -> None:
    raw = small()
    raw["scales"]["kenh"]["options"].append({"value": 99, "label": "Khác"})
    with pytest.raises(InstrumentError) as refused:
        to_xlsform(parse_instrument(raw), io.BytesIO())
    assert refused.value.path == "sections[0].questions[1].not_applicable"


def test_the_workbook_can_be_written_to_a_path(tmp_path: Path) -> None:
    to_xlsform(BUILTIN["desk-quick"], tmp_path / "desk.xlsx")
    assert openpyxl.load_workbook(tmp_path / "desk.xlsx").sheetnames == [
        "survey",
        "choices",
        "settings",
    ]


# --------------------------------------------------------------------------------------
# Reading submissions back


def test_a_kobo_export_of_the_desk_form_reads_back_to_the_answers(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    path = kobo_export(
        tmp_path,
        form,
        [
            {
                "tiep_can": "5",
                "thu_tuc": "4",
                "cong_chuc": "99",
                "ket_qua": "",
                "gop_y": "3",
                "tong_the": "4",
                "y_kien": 'Nhanh; "gọn"\nnhưng chờ lâu',
            },
            {"tiep_can": "1", "tong_the": "2"},
        ],
    )
    assert read_submissions(form, path) == [
        Submission(
            instance_id="uuid:0000-1",
            submitted_at="2025-03-04T01:01:00",
            answers={
                "tiep_can": 5,
                "thu_tuc": 4,
                "gop_y": 3,
                "tong_the": 4,
                "y_kien": 'Nhanh; "gọn"\nnhưng chờ lâu',
            },
            row=2,
        ),
        Submission(
            instance_id="uuid:0000-2",
            submitted_at="2025-03-04T01:02:00",
            answers={"tiep_can": 1, "tong_the": 2},
            row=3,
        ),
    ]


def test_an_odk_central_export_with_dash_separated_groups_reads_back(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    columns = kobo_columns(form, separator="-")
    header = ["SubmissionDate", "start", "end", *columns.values(), *CENTRAL_META]
    row = {
        "SubmissionDate": "2025-03-04T01:05:06.789Z",
        columns["tiep_can"]: "99",
        columns["tong_the"]: "5",
        "meta-instanceID": "uuid:abc",
        "KEY": "uuid:abc",
        "ReviewState": "approved",
        "FormVersion": "1",
    }
    path = write_csv(tmp_path / "central.csv", header, [row], ",")
    [submission] = read_submissions(form, path)
    assert submission == Submission("uuid:abc", "2025-03-04T01:05:06.789Z", {"tong_the": 5}, 2)


def test_a_kobo_export_of_the_province_form_reads_back_with_skips_and_not_applicable(
    tmp_path: Path,
) -> None:
    form = BUILTIN["sipas-2017-province"]
    gave = {f"f{f}_{i}": "4" for f, n in ((1, 4), (2, 5), (3, 6), (4, 3)) for i in range(1, n + 1)}
    path = kobo_export(
        tmp_path,
        form,
        [
            {
                **gave,
                "gioi_tinh": "2",
                "tuoi": "3",
                "f1_2": "99",
                "f2_5": "",
                "gave_feedback": "1",
                "f5_1": "5",
                "f5_2": "99",
                "f5_3": "2",
                "f5_4": "",
            },
            {**gave, "gave_feedback": "2", "y_kien": "Cảm ơn"},
        ],
    )
    first, second = read_submissions(form, path)
    expected = {code: 4 for code in gave if code not in ("f1_2", "f2_5")}
    assert first.answers == {
        **expected,
        "gioi_tinh": 2,
        "tuoi": 3,
        "gave_feedback": 1,
        "f5_1": 5,
        "f5_3": 2,
    }
    assert second.answers == {
        **{code: 4 for code in gave},
        "gave_feedback": 2,
        "y_kien": "Cảm ơn",
    }
    assert (first.row, second.row) == (2, 3)
    assert not any(code.startswith("f5_") for code in second.answers)


def test_multi_select_answers_arrive_space_separated(tmp_path: Path) -> None:
    form = BUILTIN["sipas-2023-national"]
    path = kobo_export(
        tmp_path,
        form,
        [{"c1_quan_tam": "1 3", "c2_kenh_thong_tin": "4"}, {"c1_quan_tam": ""}],
    )
    first, second = read_submissions(form, path)
    assert first.answers == {"c1_quan_tam": [1, 3], "c2_kenh_thong_tin": [4]}
    assert second.answers == {}


def test_kobo_one_column_per_option_is_read_as_the_multi_select(tmp_path: Path) -> None:
    form = BUILTIN["sipas-2023-national"]
    options = [f"nhan_thuc/c1_quan_tam/{v}" for v in range(1, 10)]
    header = ["nhan_thuc/c1_quan_tam", *options, "meta/instanceID", "_uuid"]
    rows = [
        {
            "nhan_thuc/c1_quan_tam": "2 5",
            **{c: ("1" if c[-1] in "25" else "0") for c in options},
            "meta/instanceID": "uuid:1",
        },
        {
            "nhan_thuc/c1_quan_tam": "7 9",
            **{c: ("1" if c[-1] in "79" else "0") for c in options},
            "_uuid": "2",
        },
    ]
    path = write_csv(tmp_path / "split.csv", header, rows, ";")
    assert [s.answers for s in read_submissions(form, path)] == [
        {"c1_quan_tam": [2, 5]},
        {"c1_quan_tam": [7, 9]},
    ]
    without_combined = write_csv(tmp_path / "only.csv", header[1:], rows, ";")
    assert [s.answers for s in read_submissions(form, without_combined)] == [
        {"c1_quan_tam": [2, 5]},
        {"c1_quan_tam": [7, 9]},
    ]


def test_a_kobo_uuid_without_its_prefix_becomes_an_odk_instance_id(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    path = write_csv(
        tmp_path / "u.csv", ["_uuid", "tong_the"], [{"_uuid": "x1", "tong_the": "3"}], ","
    )
    assert read_submissions(form, path)[0].instance_id == "uuid:x1"


def test_columns_without_their_group_are_read_too(tmp_path: Path) -> None:
    form = BUILTIN["sipas-2017-province"]
    header = ["meta/instanceID", "gave_feedback", "f5_1", "thong_tin/gioi_tinh"]
    row = {
        "meta/instanceID": "uuid:1",
        "gave_feedback": "1",
        "f5_1": "4",
        "thong_tin/gioi_tinh": "1",
    }
    path = write_csv(tmp_path / "flat.csv", header, [row], ",")
    assert read_submissions(form, path)[0].answers == {
        "gave_feedback": 1,
        "f5_1": 4,
        "gioi_tinh": 1,
    }


def test_encoded_names_read_back_to_the_dotted_codes(tmp_path: Path) -> None:
    form = parse_instrument(small())
    path = kobo_export(
        tmp_path,
        form,
        [
            {
                "q1.a": "5",
                "kenh": "3",
                "kenh-ly-do": "Tiện",
                "hai_long": "Nhanh",
                "so_lan": "2.5",
                "ngay": "2025-03-01",
            },
            {"q1.a": "99", "kenh": "99", "so_lan": "7", "ngay": "2025-03-02"},
        ],
    )
    first, second = read_submissions(form, path)
    assert first.answers == {
        "q1.a": 5,
        "kenh": [3],
        "kenh-ly-do": "Tiện",
        "hai_long": "Nhanh",
        "so_lan": 2.5,
        "ngay": "2025-03-01",
    }
    assert second.answers == {"so_lan": 7, "ngay": "2025-03-02"}


def test_an_xlsx_export_with_numeric_and_date_cells_reads_back(tmp_path: Path) -> None:
    form = parse_instrument(small())
    columns = kobo_columns(form)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Phiếu thử"
    header = [columns["q1.a"], columns["kenh"], columns["so_lan"], columns["ngay"]]
    sheet.append([*header, "meta/instanceID", "_submission_time"])
    sheet.append([4, "1 2", 3, dt.datetime(2025, 3, 1), "uuid:x", dt.datetime(2025, 3, 2, 9, 30)])
    sheet.append([99, None, 1.5, dt.date(2025, 3, 3), "uuid:y", None])
    workbook.create_sheet("repeat")
    workbook.save(tmp_path / "kobo.xlsx")
    first, second = read_submissions(form, tmp_path / "kobo.xlsx", fmt="xlsx")
    assert first == Submission(
        "uuid:x",
        "2025-03-02T09:30:00",
        {"q1.a": 4, "kenh": [1, 2], "so_lan": 3, "ngay": "2025-03-01"},
        2,
    )
    assert second.answers == {"so_lan": 1.5, "ngay": "2025-03-03"}
    assert second.submitted_at is None


def test_an_uploaded_file_object_can_be_read() -> None:
    form = BUILTIN["desk-quick"]
    data = "meta/instanceID,danh_gia/tong_the,danh_gia/y_kien\r\nuuid:1,5,Rất tốt\r\n".encode()
    assert read_submissions(form, io.BytesIO(data))[0].answers == {
        "tong_the": 5,
        "y_kien": "Rất tốt",
    }


# --------------------------------------------------------------------------------------
# Refused files


def test_a_value_outside_the_scale_is_a_problem_with_its_row_and_column(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    path = kobo_export(tmp_path, form, [{"tong_the": "4"}, {"tong_the": "4", "thu_tuc": "6"}])
    [problem] = problems_of(path, form)
    assert (problem.row, problem.column) == (3, "danh_gia/thu_tuc")
    assert "satisfaction5" in problem.message_en and "thang đo" in problem.message_vi


def test_99_on_a_question_without_not_applicable_is_outside_the_scale(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    path = kobo_export(tmp_path, form, [{"tong_the": "99"}])
    problems = problems_of(path, form)
    assert [(p.row, p.column) for p in problems] == [(2, "danh_gia/tong_the")]
    assert "not on scale" in problems[0].message_en


def test_a_non_number_in_a_select_is_a_problem(tmp_path: Path) -> None:
    form = BUILTIN["sipas-2017-province"]
    path = kobo_export(tmp_path, form, [{"gave_feedback": "2", "f1_1": "Hài lòng"}])
    [problem] = problems_of(path, form)
    assert (problem.row, problem.column) == (2, "yeu_to_1/f1_1")
    assert problem.message_en == "'Hài lòng' is not a numeric option code"


def test_an_unknown_column_that_looks_like_a_question_is_a_problem(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    path = kobo_export(
        tmp_path, form, [{"tong_the": "4", "danh_gia/cau_moi": "3"}], ("danh_gia/cau_moi",)
    )
    [problem] = problems_of(path, form)
    assert (problem.row, problem.column) == (1, "danh_gia/cau_moi")
    assert "XML values and headers" in problem.message_en


def test_a_question_under_another_group_is_a_problem(tmp_path: Path) -> None:
    form = BUILTIN["sipas-2017-province"]
    path = write_csv(
        tmp_path / "g.csv",
        ["meta/instanceID", "yeu_to_1/gave_feedback"],
        [{"meta/instanceID": "uuid:1", "yeu_to_1/gave_feedback": "1"}],
        ",",
    )
    problems = problems_of(path, form)
    assert (1, "yeu_to_1/gave_feedback") in [(p.row, p.column) for p in problems]


def test_a_duplicate_instance_id_is_a_problem_on_the_second_row(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    header = ["danh_gia/tong_the", "meta/instanceID", "_uuid"]
    rows = [
        {"danh_gia/tong_the": "4", "meta/instanceID": "uuid:a"},
        {"danh_gia/tong_the": "5", "meta/instanceID": "uuid:b"},
        {"danh_gia/tong_the": "4", "meta/instanceID": "", "_uuid": "a"},
    ]
    [problem] = problems_of(write_csv(tmp_path / "d.csv", header, rows, ";"), form)
    assert (problem.row, problem.column) == (4, "meta/instanceID")
    assert problem.message_en == "instanceID 'uuid:a' repeats row 2"


def test_a_file_without_an_instance_id_column_is_refused(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    path = write_csv(tmp_path / "n.csv", ["tong_the"], [{"tong_the": "4"}], ",")
    [problem] = problems_of(path, form)
    assert (problem.row, problem.column) == (1, "meta/instanceID")


def test_an_answer_the_skip_rule_hides_is_a_problem(tmp_path: Path) -> None:
    form = BUILTIN["sipas-2017-province"]
    path = kobo_export(tmp_path, form, [{"gave_feedback": "2", "f5_1": "4"}])
    [problem] = problems_of(path, form)
    assert (problem.row, problem.column) == (2, "yeu_to_5/f5_1")
    assert "skip rule" in problem.message_en


def test_a_required_question_left_blank_is_a_problem(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    path = kobo_export(tmp_path, form, [{"tiep_can": "4"}])
    [problem] = problems_of(path, form)
    assert (problem.row, problem.column) == (2, "danh_gia/tong_the")


def test_not_applicable_together_with_other_options_is_a_problem(tmp_path: Path) -> None:
    form = parse_instrument(small())
    path = kobo_export(tmp_path, form, [{"kenh": "1 99", "ngay": "2025-01-01"}])
    [problem] = problems_of(path, form)
    assert (problem.row, problem.column) == (2, "_phan_2e_a/kenh")


def test_bad_numbers_dates_and_repeated_options_are_problems(tmp_path: Path) -> None:
    form = parse_instrument(small())
    path = kobo_export(
        tmp_path,
        form,
        [
            {"so_lan": "13", "ngay": "01/03/2025"},
            {"so_lan": "ba", "ngay": "2025-02-30", "kenh": "2 2"},
        ],
    )
    problems = problems_of(path, form)
    assert [(p.row, p.column) for p in problems] == [
        (2, "_phan_2e_a/so_lan"),
        (2, "_phan_2e_a/ngay"),
        (3, "_phan_2e_a/kenh"),
        (3, "_phan_2e_a/so_lan"),
        (3, "_phan_2e_a/ngay"),
    ]


def test_a_submission_from_another_form_version_is_a_problem(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    header = ["danh_gia-tong_the", "meta-instanceID", "FormVersion"]
    row = {"danh_gia-tong_the": "4", "meta-instanceID": "uuid:1", "FormVersion": "2"}
    [problem] = problems_of(write_csv(tmp_path / "v.csv", header, [row], ","), form)
    assert (problem.row, problem.column) == (2, "FormVersion")


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    form = BUILTIN["desk-quick"]
    header = ["danh_gia/tong_the", "danh_gia/thu_tuc", "danh_gia/cau_la", "meta/instanceID"]
    rows = [
        {"danh_gia/tong_the": "4", "meta/instanceID": "uuid:a"},
        {"danh_gia/tong_the": "x", "danh_gia/thu_tuc": "0", "meta/instanceID": "uuid:a"},
        {"danh_gia/tong_the": "5", "meta/instanceID": ""},
    ]
    problems = problems_of(write_csv(tmp_path / "many.csv", header, rows, ","), form)
    assert [(p.row, p.column) for p in problems] == [
        (1, "danh_gia/cau_la"),
        (3, "meta/instanceID"),
        (3, "danh_gia/thu_tuc"),
        (3, "danh_gia/tong_the"),
        (4, "meta/instanceID"),
    ]
    assert all(p.message_vi and p.message_en for p in problems)


def test_the_submission_error_is_a_measurement_error_that_names_its_problems(
    tmp_path: Path,
) -> None:
    form = BUILTIN["desk-quick"]
    path = write_csv(tmp_path / "n.csv", ["tong_the"], [{"tong_the": "4"}], ",")
    with pytest.raises(MeasurementError, match="meta/instanceID"):
        read_submissions(form, path)


def test_a_file_that_is_not_a_workbook_is_refused_as_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "not.xlsx"
    path.write_bytes(b"not a zip")
    [problem] = problems_of(path, BUILTIN["desk-quick"], fmt="xlsx")
    assert (problem.row, problem.column) == (0, "")


def test_a_csv_that_is_not_utf8_is_refused_as_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("meta/instanceID,danh_gia/y_kien\nuuid:1,Hài lòng\n".encode("latin-1"))
    [problem] = problems_of(path, BUILTIN["desk-quick"])
    assert problem.row == 0


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    assert problems_of(path, BUILTIN["desk-quick"])[0].message_en == "the file has no header row"


def test_option_columns_that_disagree_with_the_answer_column_are_a_problem(
    tmp_path: Path,
) -> None:
    form = BUILTIN["sipas-2023-national"]
    options = [f"nhan_thuc/c1_quan_tam/{v}" for v in range(1, 10)]
    header = ["nhan_thuc/c1_quan_tam", *options, "meta/instanceID"]
    row = {
        "nhan_thuc/c1_quan_tam": "2 5",
        **{c: ("1" if c[-1] == "2" else "0") for c in options},
        "meta/instanceID": "uuid:1",
    }
    [problem] = problems_of(write_csv(tmp_path / "s.csv", header, [row], ";"), form)
    assert (problem.row, problem.column) == (2, "nhan_thuc/c1_quan_tam")
