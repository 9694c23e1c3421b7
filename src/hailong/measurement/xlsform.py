"""XLSForm export for ODK Collect / KoboCollect, and reading their submission exports back.

:func:`to_xlsform` writes an instrument as an XLSForm workbook (sheets ``survey``, ``choices``,
``settings``) that ODK Central and KoboToolbox accept; :func:`read_submissions` reads the CSV
or XLSX export of the collected answers and checks every value against its question's scale.
A file with any problem is refused whole: :class:`SubmissionError` lists every problem with its
spreadsheet row and column, in Vietnamese and English.

Names. XLSForm names are XML names, and exports join group and question names with a
separator (``/`` in KoboToolbox, ``-`` in ODK Central, ``.`` on request). A hailong code made of
letters, digits and ``_`` is used as it is; any other code (with ``.`` or ``-``) is encoded by
:func:`xlsform_name` into a name that starts with ``_`` (which no hailong code does) and is
decoded by :func:`code_from_xlsform_name`, so the mapping is deterministic and reversible.

Missing answers. "Not applicable" is offered as the choice ``99`` on questions marked
``not_applicable``; ``99`` there, and a blank cell anywhere, become a missing answer (absent from
:attr:`Submission.answers`, never 0).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, Literal, NamedTuple

from .answers import CODED, NOT_APPLICABLE, answer_parse
from .answers import Unreadable as AnswerUnreadable
from .errors import InstrumentError, MeasurementError
from .instruments import Instrument, Question, ShowIf
from .labels import Label

NOT_APPLICABLE_LABEL = Label(vi="Không áp dụng", en="Not applicable")
LANGUAGES = (("vi", "Tiếng Việt (vi)"), ("en", "English (en)"))
DEFAULT_LANGUAGE = LANGUAGES[0][1]

#: Names of the rows :func:`to_xlsform` adds itself; no section or question may use them.
START, END, INTRO = "start", "end", "_intro"
RESERVED_NAMES = frozenset({START, END, "meta", "instanceID", "instanceName"})

_PLAIN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ENCODED_ESCAPE = re.compile(r"__|_([0-9a-f]+)_")
_SEPARATOR = re.compile(r"[/.:-]")
_INTEGER = re.compile(r"^[+-]?\d+$")

# Metadata columns of KoboToolbox and ODK Central exports (besides every column that starts
# with "_" and the "meta" / "formhub" groups).
_META_COLUMNS = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "simserial",
        "subscriberid",
        "phonenumber",
        "username",
        "email",
        "audit",
        "instanceName",
        "SubmissionDate",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
    }
)
_META_GROUPS = frozenset({"meta", "formhub"})
_ID_COLUMNS = (("meta", "instanceID"), ("instanceID",), ("_uuid",), ("KEY",))
_SUBMITTED_COLUMNS = (("_submission_time",), ("SubmissionDate",))
_VERSION_COLUMNS = (("FormVersion",),)


# --------------------------------------------------------------------------------------
# Names


def xlsform_name(code: str) -> str:
    """The XLSForm name of a hailong code (of a question, section or scale).

    Codes of letters, digits and ``_`` (a letter first) are kept. Any other code becomes ``_``
    followed by the code with ``_`` written ``__`` and every other character ``_<hex>_``
    (``q1.a`` → ``_q1_2e_a``). Such a name starts with ``_``, which no hailong code does, so
    encoded names never meet kept ones.
    """
    if _PLAIN_NAME.match(code):
        return code
    body = []
    for char in code:
        if char.isascii() and char.isalnum():
            body.append(char)
        elif char == "_":
            body.append("__")
        else:
            body.append(f"_{ord(char):x}_")
    return "_" + "".join(body)


def code_from_xlsform_name(name: str) -> str:
    """The hailong code of an XLSForm name made by :func:`xlsform_name`."""
    if not name.startswith("_"):
        return name
    body = name[1:]
    out: list[str] = []
    position = 0
    while position < len(body):
        if body[position] != "_":
            out.append(body[position])
            position += 1
            continue
        match = _ENCODED_ESCAPE.match(body, position)
        if match is None:
            raise ValueError(f"'{name}' is not a name made by xlsform_name")
        out.append("_" if match.group(1) is None else chr(int(match.group(1), 16)))
        position = match.end()
    return "".join(out)


# --------------------------------------------------------------------------------------
# Export


def _question_paths(instrument: Instrument) -> dict[str, str]:
    return {
        q.code: f"sections[{si}].questions[{qi}]"
        for si, section in enumerate(instrument.sections)
        for qi, q in enumerate(section.questions)
    }


def _choice_lists(instrument: Instrument) -> dict[tuple[str, bool], str]:
    """The list name of each (scale code, offers "not applicable") in use, in first-use order."""
    lists: dict[tuple[str, bool], str] = {}
    paths = _question_paths(instrument)
    for q in instrument.questions():
        if q.scale.type not in ("ordinal", "choice", "multi"):
            continue
        key = (q.scale.code, q.not_applicable)
        if key in lists:
            continue
        if q.not_applicable and NOT_APPLICABLE in q.scale.values:
            raise InstrumentError(
                paths[q.code] + ".not_applicable",
                f"thang đo '{q.scale.code}' đã dùng mã {NOT_APPLICABLE}, "
                f"mã dành cho 'Không áp dụng' trong XLSForm",
                f"scale '{q.scale.code}' already uses code {NOT_APPLICABLE}, "
                f"the XLSForm code for 'not applicable'",
            )
        base = xlsform_name(q.scale.code)
        lists[key] = base + "_na" if q.not_applicable else base
    by_name: dict[str, tuple[str, bool]] = {}
    for key, name in lists.items():
        if name in by_name:
            raise InstrumentError(
                "scales",
                f"thang đo '{key[0]}' và '{by_name[name][0]}' cho cùng tên danh sách '{name}'",
                f"scales '{key[0]}' and '{by_name[name][0]}' give the same list name '{name}'",
            )
        by_name[name] = key
    return lists


def _check_names(instrument: Instrument) -> None:
    seen: dict[str, str] = {}
    elements = [(f"sections[{i}].code", s.code) for i, s in enumerate(instrument.sections)]
    elements += [(path + ".code", code) for code, path in _question_paths(instrument).items()]
    for path, code in elements:
        name = xlsform_name(code)
        if name in RESERVED_NAMES:
            raise InstrumentError(
                path,
                f"mã '{code}' trùng tên dành riêng của XLSForm",
                f"code '{code}' is a name XLSForm reserves",
            )
        key = name.lower()
        if key in seen:
            raise InstrumentError(
                path,
                f"mã '{code}' trùng tên XLSForm với '{seen[key]}' (không phân biệt hoa thường)",
                f"code '{code}' gives the same XLSForm name as '{seen[key]}' (case-insensitive)",
            )
        seen[key] = code


def _number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def _relevant(show_if: ShowIf, target: Question) -> str:
    """The XLSForm ``relevant`` expression of a skip rule whose target is ``target``."""
    name = xlsform_name(target.code)
    if target.scale.type == "multi":
        parts = [f"selected(${{{name}}}, '{v}')" for v in sorted(show_if.values)]
    else:
        parts = [f"${{{name}}} = {v}" for v in sorted(show_if.values)]
    return " or ".join(parts)


def _constraint(q: Question) -> tuple[str, Label | None]:
    scale = q.scale
    if scale.type == "number" and (scale.minimum is not None or scale.maximum is not None):
        tests, vi, en = [], [], []
        if scale.minimum is not None:
            tests.append(f". >= {_number(scale.minimum)}")
            vi.append(f"từ {_number(scale.minimum)}")
            en.append(f"at least {_number(scale.minimum)}")
        if scale.maximum is not None:
            tests.append(f". <= {_number(scale.maximum)}")
            vi.append(f"đến {_number(scale.maximum)}")
            en.append(f"at most {_number(scale.maximum)}")
        return " and ".join(tests), Label(
            vi="Giá trị phải " + " ".join(vi), en="The value must be " + " and ".join(en)
        )
    if scale.type == "text":
        return f"string-length(.) <= {scale.max_length}", Label(
            vi=f"Tối đa {scale.max_length} ký tự", en=f"At most {scale.max_length} characters"
        )
    if scale.type == "multi" and q.not_applicable:
        return f"not(selected(., '{NOT_APPLICABLE}')) or count-selected(.) = 1", Label(
            vi="'Không áp dụng' không chọn cùng lựa chọn khác",
            en="'Not applicable' cannot be chosen with other options",
        )
    return "", None


def _question_type(q: Question, lists: dict[tuple[str, bool], str]) -> str:
    kind = q.scale.type
    if kind in ("ordinal", "choice"):
        return "select_one " + lists[(q.scale.code, q.not_applicable)]
    if kind == "multi":
        return "select_multiple " + lists[(q.scale.code, q.not_applicable)]
    if kind == "number":
        # A scale does not say whether it counts; decimal also takes whole numbers.
        return "decimal"
    return kind  # text, date


def to_xlsform(instrument: Instrument, path_or_buffer: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write ``instrument`` as an XLSForm workbook for ODK Collect / KoboCollect.

    Sheets: ``survey`` (a ``start`` and ``end`` timestamp, the description as a note, one
    group per section, one row per question with labels in Vietnamese and English, ``required``,
    ``relevant`` from ``show_if`` and a ``constraint`` mirroring the scale), ``choices`` (one list
    per scale in use, named after the scale; ``<scale>_na`` adds ``99`` "Không áp dụng" for
    questions that offer it) and ``settings`` (``form_title``, ``form_id`` = instrument code,
    ``version``, ``default_language``).

    Raises :class:`InstrumentError` when the instrument cannot be written faithfully (a name
    clash, or a scale of a "not applicable" question that already uses ``99``).
    """
    import xlsxwriter

    _check_names(instrument)
    lists = _choice_lists(instrument)
    label_columns = [f"label::{name}" for _, name in LANGUAGES]
    message_columns = [f"constraint_message::{name}" for _, name in LANGUAGES]

    def labels(label: Label) -> list[str]:
        return [label.get(lang) for lang, _ in LANGUAGES]

    survey_header = [
        "type",
        "name",
        *label_columns,
        "required",
        "relevant",
        "constraint",
        *message_columns,
    ]
    blank_labels = ["" for _ in LANGUAGES]
    survey: list[list[str]] = [
        [START, START, *blank_labels, "", "", "", *blank_labels],
        [END, END, *blank_labels, "", "", "", *blank_labels],
    ]
    if instrument.description is not None:
        survey.append(["note", INTRO, *labels(instrument.description), "", "", "", *blank_labels])
    for section in instrument.sections:
        survey.append(
            [
                "begin group",
                xlsform_name(section.code),
                *labels(section.title),
                "",
                "",
                "",
                *blank_labels,
            ]
        )
        for q in section.questions:
            relevant = ""
            if q.show_if is not None:
                relevant = _relevant(q.show_if, instrument.question(q.show_if.question))
            constraint, message = _constraint(q)
            survey.append(
                [
                    _question_type(q, lists),
                    xlsform_name(q.code),
                    *labels(q.text),
                    "yes" if q.required else "",
                    relevant,
                    constraint,
                    *(labels(message) if message is not None else blank_labels),
                ]
            )
        survey.append(["end group", "", *blank_labels, "", "", "", *blank_labels])

    choices: list[list[str]] = []
    scales = {q.scale.code: q.scale for q in instrument.questions()}
    for (scale_code, not_applicable), list_name in lists.items():
        for option in scales[scale_code].options:
            choices.append([list_name, str(option.value), *labels(option.label)])
        if not_applicable:
            choices.append([list_name, str(NOT_APPLICABLE), *labels(NOT_APPLICABLE_LABEL)])

    settings = [
        [instrument.title.vi, instrument.code, str(instrument.version), DEFAULT_LANGUAGE],
    ]

    target: str | IO[bytes] = (
        path_or_buffer
        if not isinstance(path_or_buffer, str | os.PathLike)
        else os.fspath(path_or_buffer)
    )
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    bold = workbook.add_format({"bold": True})

    def sheet(name: str, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
        worksheet = workbook.add_worksheet(name)
        for c, text in enumerate(header):
            worksheet.write_string(0, c, text, bold)
            worksheet.set_column(c, c, widths[c] if c < len(widths) else 20)
        for r, row in enumerate(rows, start=1):
            for c, text in enumerate(row):
                if text:
                    # write_string: a label starting with "=" must stay text, not a formula.
                    worksheet.write_string(r, c, text)
        worksheet.freeze_panes(1, 0)

    sheet("survey", survey_header, survey, [26, 22, 60, 60, 9, 30, 30, 30, 30])
    sheet("choices", ["list_name", "name", *label_columns], choices, [22, 8, 40, 40])
    sheet(
        "settings",
        ["form_title", "form_id", "version", "default_language"],
        settings,
        [60, 24, 10, 20],
    )
    workbook.close()


# --------------------------------------------------------------------------------------
# Reading submissions


class Problem(NamedTuple):
    """One problem of a submissions file: spreadsheet ``row`` (header = 1; 0 = the whole
    file), ``column`` as headed in the file, and why, in Vietnamese and English."""

    row: int
    column: str
    message_vi: str
    message_en: str


class SubmissionError(MeasurementError):
    """A submissions file was refused; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = "; ".join(
            f"dòng/row {p.row} [{p.column}]: {p.message_vi} / {p.message_en}"
            for p in self.problems[:5]
        )
        more = f" (+{len(self.problems) - 5})" if len(self.problems) > 5 else ""
        super().__init__(
            f"{len(self.problems)} vấn đề trong tệp / problems in the file: {shown}{more}"
        )


@dataclass(frozen=True)
class Submission:
    """One submission: its ODK ``instance_id`` (``uuid:…``), when the server received it,
    the valid answers by question code (missing and "not applicable" answers are absent), and
    its spreadsheet ``row`` in the file (header = 1)."""

    instance_id: str
    submitted_at: str | None
    answers: dict[str, object]
    row: int


class _Missing:
    """A blank cell or "not applicable"."""


_MISSING = _Missing()
_NA = _Missing()


@dataclass
class _Columns:
    """What each column of the file holds."""

    answers: dict[str, int] = field(default_factory=dict)  # code -> column index
    options: dict[str, dict[int, int]] = field(default_factory=dict)  # code -> value -> column
    ids: list[tuple[int, bool]] = field(default_factory=list)  # (column, is _uuid), by priority
    submitted: list[int] = field(default_factory=list)
    version: int | None = None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _csv_rows(stream: IO[str]) -> Iterator[list[str]]:
    text = stream.read()
    first_line = text.split("\n", 1)[0]
    delimiter = max(
        (",", ";", "\t"),
        key=lambda d: len(next(csv.reader([first_line], delimiter=d), [])),
    )
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


class _Unreadable(Exception):
    """The file is not a readable CSV or XLSX file."""


def _xlsx_rows(source: str | IO[bytes]) -> list[list[str]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise _Unreadable(str(exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _read_rows(
    source: str | os.PathLike[str] | IO[bytes], fmt: Literal["csv", "xlsx"]
) -> list[list[str]]:
    opened: str | IO[bytes] = os.fspath(source) if isinstance(source, str | os.PathLike) else source
    if fmt == "xlsx":
        return _xlsx_rows(opened)
    try:
        if isinstance(opened, str):
            with open(opened, encoding="utf-8-sig", newline="") as stream:
                return list(_csv_rows(stream))
        wrapper = io.TextIOWrapper(opened, encoding="utf-8-sig", newline="")
        try:
            return list(_csv_rows(wrapper))
        finally:
            wrapper.detach()
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _Unreadable(str(exc)) from exc


def _map_columns(
    instrument: Instrument, header: list[str], problems: list[Problem]
) -> tuple[_Columns, set[int]]:
    """Sort the columns into answers, split multi-select options and metadata."""
    questions = {xlsform_name(q.code): q for q in instrument.questions()}
    section_of = {q.code: xlsform_name(s.code) for s in instrument.sections for q in s.questions}
    columns = _Columns()
    ids: dict[tuple[str, ...], tuple[int, bool]] = {}
    submitted: dict[tuple[str, ...], int] = {}
    skipped: set[int] = set()
    where = f"{instrument.code} v{instrument.version}"

    def in_section(q: Question, prefix: list[str], c: int) -> bool:
        if not prefix or prefix == [section_of[q.code]]:
            return True
        problems.append(
            Problem(
                1,
                header[c],
                f"câu '{q.code}' thuộc nhóm '{section_of[q.code]}', "
                f"không phải '{'/'.join(prefix)}'",
                f"question '{q.code}' is in group '{section_of[q.code]}', not '{'/'.join(prefix)}'",
            )
        )
        skipped.add(c)
        return False

    for c, raw in enumerate(header):
        title = raw.strip()
        if not title:
            skipped.add(c)  # a nameless column: refused below only if it holds data
            continue
        segments = tuple(_SEPARATOR.split(title))
        if segments in _ID_COLUMNS:
            ids.setdefault(segments, (c, segments == ("_uuid",)))
            continue
        if segments in _SUBMITTED_COLUMNS:
            submitted.setdefault(segments, c)
            continue
        if segments in _VERSION_COLUMNS:
            columns.version = c
            continue
        name, prefix = segments[-1], list(segments[:-1])
        q = questions.get(name)
        if q is not None:
            if not in_section(q, prefix, c):
                continue
            if q.code in columns.answers:
                problems.append(
                    Problem(
                        1,
                        title,
                        f"cột lặp lại câu '{q.code}' (đã có ở cột "
                        f"'{header[columns.answers[q.code]]}')",
                        f"the column repeats question '{q.code}' (already in column "
                        f"'{header[columns.answers[q.code]]}')",
                    )
                )
                skipped.add(c)
                continue
            columns.answers[q.code] = c
            continue
        parent = questions.get(segments[-2]) if len(segments) >= 2 else None
        if parent is not None and parent.scale.type == "multi":
            if not in_section(parent, list(segments[:-2]), c):
                continue
            allowed = parent.scale.values | ({NOT_APPLICABLE} if parent.not_applicable else set())
            if _INTEGER.match(name) and int(name) in allowed:
                columns.options.setdefault(parent.code, {})[int(name)] = c
            else:
                problems.append(
                    Problem(
                        1,
                        title,
                        f"'{name}' không phải mã lựa chọn của câu '{parent.code}'",
                        f"'{name}' is not an option code of question '{parent.code}'",
                    )
                )
                skipped.add(c)
            continue
        if (
            segments[0].startswith("_")
            or segments[0] in _META_GROUPS
            or title in _META_COLUMNS
            or name == INTRO
        ):
            skipped.add(c)  # metadata hailong does not keep
            continue
        problems.append(
            Problem(
                1,
                title,
                f"cột '{title}' không phải câu hỏi của bộ câu hỏi {where} "
                "(hãy xuất dữ liệu với tên cột và giá trị XML, không phải nhãn)",
                f"column '{title}' is not a question of instrument {where} "
                "(export XML values and headers, not labels)",
            )
        )
        skipped.add(c)

    columns.ids = [ids[k] for k in _ID_COLUMNS if k in ids]
    columns.submitted = [submitted[k] for k in _SUBMITTED_COLUMNS if k in submitted]
    if not columns.ids:
        problems.append(
            Problem(
                1,
                "meta/instanceID",
                "thiếu cột mã bản ghi (meta/instanceID hoặc _uuid)",
                "no submission ID column (meta/instanceID or _uuid)",
            )
        )
    for q in instrument.questions():
        if q.required and q.code not in columns.answers and q.code not in columns.options:
            problems.append(
                Problem(
                    1,
                    f"{section_of[q.code]}/{xlsform_name(q.code)}",
                    f"thiếu cột của câu hỏi bắt buộc '{q.code}'",
                    f"the required question '{q.code}' has no column",
                )
            )
    return columns, skipped


class _Refused(Exception):
    def __init__(self, vi: str, en: str) -> None:
        self.vi, self.en = vi, en


def _outside(text: str, q: Question) -> _Refused:
    return _Refused(
        f"'{text}' không có trong thang đo '{q.scale.code}' của câu '{q.code}'",
        f"'{text}' is not on scale '{q.scale.code}' of question '{q.code}'",
    )


def _parse_value(text: str, q: Question) -> object:
    """The answer in a cell, :data:`_MISSING` for a blank, :data:`_NA` for "not applicable".

    Read by the core's one reader of typed answers; dates only as ``YYYY-MM-DD`` (an export
    writes them so; a slashed date was rewritten by a spreadsheet, day and month unknown).
    """
    try:
        value = answer_parse(q, text, day_first=False)
    except AnswerUnreadable as refusal:
        if refusal.kind == "outside":  # the export's choices list is named after the scale
            raise _outside(text.strip()[:40], q) from None
        raise _Refused(refusal.vi, refusal.en) from None
    if value is None:
        return _MISSING
    if value == NOT_APPLICABLE and q.not_applicable and q.scale.type in CODED:
        return _NA
    return value


def _parse_options(cells: dict[int, str], q: Question) -> object:
    """A multi-select answer from KoboToolbox's one-column-per-option export (1 / 0)."""
    chosen: list[int] = []
    for value, text in cells.items():
        flag = text.strip()
        if flag not in ("", "0", "1"):
            raise _Refused(
                f"cột lựa chọn phải là 0 hoặc 1, không phải '{text}'",
                f"an option column holds 0 or 1, not '{text}'",
            )
        if flag == "1":
            chosen.append(value)
    if not chosen:
        return _MISSING
    return _parse_value(" ".join(str(v) for v in chosen), q)


def _chosen(value: object) -> set[int]:
    if value is _NA:
        return {NOT_APPLICABLE}
    return set(value) if isinstance(value, list) else set()


def _answer(q: Question, cells: list[str], columns: _Columns) -> object:
    split = columns.options.get(q.code, {})
    split_cells = {v: cells[c] for v, c in split.items()}
    if q.code not in columns.answers:
        return _parse_options(split_cells, q)
    value = _parse_value(cells[columns.answers[q.code]], q)
    if any(text.strip() for text in split_cells.values()):
        # KoboToolbox's one-column-per-option cells must say the same as the answer column.
        flagged = _chosen(_parse_options(split_cells, q))
        if flagged != _chosen(value) & split.keys():
            raise _Refused(
                "các cột tách từng lựa chọn không khớp với cột câu trả lời",
                "the one-column-per-option cells disagree with the answer column",
            )
    return value


def _column_of(header: list[str], columns: _Columns, code: str) -> str:
    if code in columns.answers:
        return header[columns.answers[code]]
    return header[next(iter(columns.options[code].values()))]


def read_submissions(
    instrument: Instrument,
    path: str | os.PathLike[str] | IO[bytes],
    *,
    fmt: Literal["csv", "xlsx"] = "csv",
) -> list[Submission]:
    """Read a KoboToolbox or ODK Central export of submissions of ``instrument``.

    Columns may carry their group (``group/q``, ``group-q``, ``group.q``) or not; metadata
    columns (``meta/instanceID``, ``_uuid``, ``KEY``, ``_submission_time``, ``SubmissionDate``,
    ``FormVersion``, ``start``, ``end``, every ``_…`` column) are recognised. Multi-select
    answers arrive space-separated (``1 3``) or as KoboToolbox's 0/1 column per option. ``99``
    on a question offering "not applicable", and blank cells, are missing answers.

    Every value is checked against its question's scale, and every row against the skip
    rules and required questions. Any problem refuses the whole file: :class:`SubmissionError`
    carries them all.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"fmt must be 'csv' or 'xlsx', not {fmt!r}")
    try:
        rows = _read_rows(path, fmt)
    except _Unreadable as exc:
        raise SubmissionError(
            [Problem(0, "", f"không đọc được tệp: {exc}", f"the file cannot be read: {exc}")]
        ) from exc
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SubmissionError(
            [Problem(0, "", "tệp không có dòng tiêu đề", "the file has no header row")]
        )

    problems: list[Problem] = []
    header = rows[0]
    columns, skipped = _map_columns(instrument, header, problems)
    questions = [
        q for q in instrument.questions() if q.code in columns.answers or q.code in columns.options
    ]
    present = {q.code for q in questions}
    version = str(instrument.version)
    id_column = header[columns.ids[0][0]] if columns.ids else "meta/instanceID"
    submissions: list[Submission] = []
    first_row_of: dict[str, int] = {}

    for row_number, row_cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row_cells):
            continue
        cells = row_cells + [""] * (len(header) - len(row_cells))

        def problem(column: str, vi: str, en: str, *, row: int = row_number) -> None:
            problems.append(Problem(row, column, vi, en))

        for c in range(len(header), len(cells)):
            if cells[c].strip():
                problem(
                    f"#{c + 1}", "ô có dữ liệu ngoài các cột có tên", "a cell beyond the header"
                )
        for c in skipped:
            if not header[c].strip() and cells[c].strip():
                problem(f"#{c + 1}", "cột có dữ liệu nhưng không có tên", "a nameless column")

        instance_id = ""
        for c, is_uuid in columns.ids:
            instance_id = cells[c].strip()
            if instance_id:
                if is_uuid and not instance_id.startswith("uuid:"):
                    instance_id = "uuid:" + instance_id
                break
        if columns.ids and not instance_id:
            problem(id_column, "thiếu mã bản ghi (instanceID)", "the instanceID is missing")
        elif instance_id in first_row_of:
            problem(
                id_column,
                f"mã bản ghi '{instance_id}' trùng với dòng {first_row_of[instance_id]}",
                f"instanceID '{instance_id}' repeats row {first_row_of[instance_id]}",
            )
        elif instance_id:
            first_row_of[instance_id] = row_number

        if columns.version is not None:
            given = cells[columns.version].strip()
            if given and given != version:
                problem(
                    header[columns.version],
                    f"bản ghi thu bằng phiên bản biểu mẫu '{given}', không phải {version}",
                    f"collected with form version '{given}', not {version}",
                )

        answers: dict[str, object] = {}
        not_applicable: set[str] = set()
        refused: set[str] = set()
        for q in questions:
            try:
                value = _answer(q, cells, columns)
            except _Refused as refusal:
                problem(_column_of(header, columns, q.code), refusal.vi, refusal.en)
                refused.add(q.code)
                continue
            if value is _NA:
                not_applicable.add(q.code)
            elif value is not _MISSING:
                answers[q.code] = value

        for q in questions:
            rule = q.show_if
            if q.code in refused or (
                rule is not None and (rule.question in refused or rule.question not in present)
            ):
                continue  # the skip rule cannot be checked without a valid answer to its target
            shown = rule is None or rule.holds(answers)
            answered = q.code in answers or q.code in not_applicable
            if rule is not None and not shown and answered:
                problem(
                    _column_of(header, columns, q.code),
                    f"câu '{q.code}' có câu trả lời dù điều kiện hiển thị "
                    f"(câu '{rule.question}') ẩn nó",
                    f"question '{q.code}' is answered although its skip rule "
                    f"(question '{rule.question}') hides it",
                )
            elif shown and q.required and not answered:
                problem(
                    _column_of(header, columns, q.code),
                    f"thiếu câu trả lời cho câu hỏi bắt buộc '{q.code}'",
                    f"the required question '{q.code}' is not answered",
                )

        submissions.append(
            Submission(
                instance_id=instance_id,
                submitted_at=next(
                    (cells[c].strip() for c in columns.submitted if cells[c].strip()), None
                ),
                answers=answers,
                row=row_number,
            )
        )

    if problems:
        raise SubmissionError(problems)
    return submissions
