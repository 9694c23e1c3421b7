"""Validation of instrument files; every refusal names the bad element's path."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from .errors import InstrumentError
from .instruments import (
    FACTOR_RULES,
    ITEM_RULES,
    KINDS,
    OVERALL_RULES,
    SCHEMA,
    Aggregation,
    Factor,
    Grade,
    Instrument,
    Part,
    Question,
    Section,
    ShowIf,
)
from .labels import Label, parse_label
from .scales import BUILTIN_SCALES, Scale, parse_scale

CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,39}$")
ROLES = ("item", "profile", "perception", "priority", "comment", "overall", "screening", "other")


def _err(path: str, vi: str, en: str) -> InstrumentError:
    return InstrumentError(path, vi, en)


def _mapping(raw: Any, path: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _err(path, "phải là một bảng khóa–giá trị", "must be a mapping")
    return raw


def _list(raw: Any, path: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _err(path, "phải là một danh sách", "must be a list")
    return raw


def _code(raw: Any, path: str, seen: set[str], what_vi: str, what_en: str) -> str:
    if not isinstance(raw, str) or not CODE.match(raw):
        raise _err(
            path,
            f"mã {what_vi} '{raw}' không hợp lệ (chữ cái đầu, tối đa 40 ký tự a-z 0-9 _ . -)",
            f"{what_en} code '{raw}' is not valid (a letter first, at most 40 of a-z 0-9 _ . -)",
        )
    if raw in seen:
        raise _err(path, f"mã '{raw}' bị trùng", f"duplicate code '{raw}'")
    seen.add(raw)
    return raw


def fraction(raw: Any, path: str) -> Fraction:
    """Read a weight exactly: ``"1/9"``, ``"0.25"`` or an integer; never a float."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise _err(
            path,
            'trọng số phải viết dạng phân số chính xác, ví dụ "1/9" hoặc "0.25" (trong ngoặc kép)',
            'a weight must be written exactly, e.g. "1/9" or "0.25" (quoted)',
        )
    try:
        value = Fraction(raw)
    except (ValueError, ZeroDivisionError) as exc:
        raise _err(
            path, f"trọng số '{raw}' không đọc được", f"weight '{raw}' cannot be read"
        ) from exc
    if value <= 0:
        raise _err(path, "trọng số phải lớn hơn 0", "a weight must be greater than 0")
    return value


def _weights(raw: Any, path: str, allowed: set[str]) -> tuple[tuple[str, Fraction], ...]:
    table = _mapping(raw, path)
    if not table:
        raise _err(path, "thiếu bảng trọng số", "the weight table is missing")
    weights = []
    for key, value in table.items():
        if key not in allowed:
            raise _err(
                f"{path}.{key}",
                f"'{key}' không có trong bảng được gộp",
                f"'{key}' is not among what is aggregated",
            )
        weights.append((key, fraction(value, f"{path}.{key}")))
    total = sum(w for _, w in weights)
    if total != 1:
        raise _err(
            path,
            f"tổng trọng số là {total}, phải bằng đúng 1",
            f"the weights sum to {total}, not exactly 1",
        )
    return tuple(weights)


def parse(raw: Any) -> Instrument:
    doc = _mapping(raw, "$")
    if doc.get("schema") != SCHEMA:
        raise _err("schema", f"cần khai báo schema: {SCHEMA}", f"declare schema: {SCHEMA}")
    code = _code(doc.get("code"), "code", set(), "bộ câu hỏi", "instrument")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _err(
            "version", "phiên bản phải là số nguyên dương", "version must be a positive integer"
        )
    kind = doc.get("kind", "yearly")
    if kind not in KINDS:
        raise _err(
            "kind",
            f"loại '{kind}' không hợp lệ ({', '.join(KINDS)})",
            f"kind '{kind}' is not valid ({', '.join(KINDS)})",
        )

    scales: dict[str, Scale] = dict(BUILTIN_SCALES)
    for name, raw_scale in _mapping(doc.get("scales") or {}, "scales").items():
        scales[name] = parse_scale(name, raw_scale, f"scales.{name}")

    part_codes: set[str] = set()
    parts = tuple(
        Part(
            code=_code(
                _mapping(p, f"parts[{i}]").get("code"),
                f"parts[{i}].code",
                part_codes,
                "phần",
                "part",
            ),
            label=parse_label(p.get("label"), f"parts[{i}].label"),
        )
        for i, p in enumerate(_list(doc.get("parts"), "parts"))
    )

    factor_codes: set[str] = set()
    raw_factors = _list(doc.get("factors"), "factors")
    for i, f in enumerate(raw_factors):
        _code(
            _mapping(f, f"factors[{i}]").get("code"),
            f"factors[{i}].code",
            factor_codes,
            "yếu tố",
            "factor",
        )

    questions_so_far: dict[str, Question] = {}
    section_codes: set[str] = set()
    sections: list[Section] = []
    for si, raw_section in enumerate(_list(doc.get("sections"), "sections")):
        spath = f"sections[{si}]"
        s = _mapping(raw_section, spath)
        s_code = _code(s.get("code"), spath + ".code", section_codes, "phần câu hỏi", "section")
        questions = []
        for qi, raw_q in enumerate(_list(s.get("questions"), spath + ".questions")):
            question = _question(
                raw_q, f"{spath}.questions[{qi}]", scales, factor_codes, questions_so_far
            )
            questions_so_far[question.code] = question
            questions.append(question)
        if not questions:
            raise _err(
                spath + ".questions", "phần câu hỏi không có câu nào", "the section has no question"
            )
        sections.append(
            Section(
                code=s_code,
                title=parse_label(s.get("title"), spath + ".title"),
                questions=tuple(questions),
            )
        )
    if not sections:
        raise _err("sections", "bộ câu hỏi không có phần nào", "the instrument has no section")

    by_code = {q.code: q for sec in sections for q in sec.questions}
    factors = tuple(
        _factor(f, f"factors[{i}]", part_codes, by_code) for i, f in enumerate(raw_factors)
    )
    aggregation = _aggregation(doc.get("aggregation") or {}, factors, parts, by_code)
    return Instrument(
        code=code,
        version=version,
        title=parse_label(doc.get("title"), "title"),
        kind=kind,
        parts=parts,
        factors=factors,
        sections=tuple(sections),
        aggregation=aggregation,
        description=parse_label(doc["description"], "description")
        if doc.get("description")
        else None,
    )


def _question(
    raw: Any, path: str, scales: dict[str, Scale], factors: set[str], earlier: dict[str, Question]
) -> Question:
    q = _mapping(raw, path)
    code = _code(q.get("code"), path + ".code", set(earlier), "câu hỏi", "question")
    scale_name = q.get("scale")
    if scale_name not in scales:
        raise _err(
            path + ".scale",
            f"thang đo '{scale_name}' không tồn tại",
            f"scale '{scale_name}' does not exist",
        )
    scale = scales[scale_name]
    factor = q.get("factor")
    if factor is not None:
        if factor not in factors:
            raise _err(
                path + ".factor",
                f"yếu tố '{factor}' không tồn tại",
                f"factor '{factor}' does not exist",
            )
        if scale.type != "ordinal" or not scale.top:
            raise _err(
                path + ".scale",
                "tiêu chí của một yếu tố phải dùng thang đo thứ bậc có mức 'top'",
                "an item of a factor needs an ordinal scale with 'top' levels",
            )
    role = q.get("role", "item" if factor else "other")
    if role not in ROLES:
        raise _err(path + ".role", f"vai trò '{role}' không hợp lệ", f"role '{role}' is not valid")
    if role == "item" and factor is None:
        raise _err(
            path + ".factor", "tiêu chí phải thuộc một yếu tố", "an item must belong to a factor"
        )
    show_if = None
    if q.get("show_if") is not None:
        rule = _mapping(q["show_if"], path + ".show_if")
        target = rule.get("question")
        if target not in earlier:
            raise _err(
                path + ".show_if.question",
                f"điều kiện hiển thị nhắc tới câu hỏi '{target}' không có ở phía trước",
                f"the skip rule names question '{target}', which does not come earlier",
            )
        values = _list(rule.get("in"), path + ".show_if.in")
        target_values = earlier[target].scale.values
        if not values or not all(
            isinstance(v, int) and not isinstance(v, bool) and v in target_values for v in values
        ):
            raise _err(
                path + ".show_if.in",
                f"cần danh sách mã trả lời có trong thang đo của câu '{target}'",
                f"a list of answer codes from the scale of question '{target}' is needed",
            )
        show_if = ShowIf(question=target, values=frozenset(values))
    for flag in ("required", "not_applicable"):
        if not isinstance(q.get(flag, False), bool):
            raise _err(f"{path}.{flag}", "phải là true hoặc false", "must be true or false")
    return Question(
        code=code,
        text=parse_label(q.get("text"), path + ".text"),
        scale=scale,
        factor=factor,
        required=q.get("required", False),
        not_applicable=q.get("not_applicable", False),
        show_if=show_if,
        role=role,
    )


def _factor(
    raw: dict[str, Any], path: str, parts: set[str], questions: dict[str, Question]
) -> Factor:
    code = raw["code"]
    part = raw.get("part")
    if part is not None and part not in parts:
        raise _err(path + ".part", f"phần '{part}' không tồn tại", f"part '{part}' does not exist")
    rule = raw.get("rule", "items_mean")
    if rule not in FACTOR_RULES:
        raise _err(
            path + ".rule",
            f"cách gộp '{rule}' không hợp lệ ({', '.join(FACTOR_RULES)})",
            f"rule '{rule}' is not valid ({', '.join(FACTOR_RULES)})",
        )
    items = {c for c, q in questions.items() if q.factor == code}
    if not items:
        raise _err(path, f"yếu tố '{code}' không có tiêu chí nào", f"factor '{code}' has no item")
    weights: tuple[tuple[str, Fraction], ...] = ()
    question = None
    if rule == "weighted":
        weights = _weights(raw.get("weights"), path + ".weights", items)
    if rule == "direct":
        question = raw.get("question")
        if question not in items:
            raise _err(
                path + ".question",
                f"câu hỏi chung '{question}' phải là tiêu chí của yếu tố",
                f"the overall question '{question}' must be an item of the factor",
            )
    return Factor(
        code=code,
        label=parse_label(raw.get("label"), path + ".label"),
        part=part,
        rule=rule,
        weights=weights,
        question=question,
    )


def _aggregation(
    raw: Any, factors: tuple[Factor, ...], parts: tuple[Part, ...], questions: dict[str, Question]
) -> Aggregation:
    agg = _mapping(raw, "aggregation")
    item = agg.get("item", "share_satisfied")
    if item not in ITEM_RULES:
        raise _err(
            "aggregation.item",
            f"chỉ số tiêu chí '{item}' không hợp lệ ({', '.join(ITEM_RULES)})",
            f"item index '{item}' is not valid ({', '.join(ITEM_RULES)})",
        )
    overall = agg.get("overall", "mean_of_factors")
    if overall not in OVERALL_RULES:
        raise _err(
            "aggregation.overall",
            f"cách gộp '{overall}' không hợp lệ ({', '.join(OVERALL_RULES)})",
            f"rule '{overall}' is not valid ({', '.join(OVERALL_RULES)})",
        )
    if overall == "mean_of_parts":
        if not parts or any(f.part is None for f in factors):
            raise _err(
                "aggregation.overall",
                "gộp theo phần cần mỗi yếu tố thuộc một phần",
                "aggregating by part needs every factor in a part",
            )
        for i, part in enumerate(parts):
            if not any(f.part == part.code for f in factors):
                raise _err(
                    f"parts[{i}]",
                    f"phần '{part.code}' không có yếu tố nào",
                    f"part '{part.code}' has no factor",
                )
    weights: tuple[tuple[str, Fraction], ...] = ()
    if overall == "weighted":
        allowed = {f.code for f in factors} | {p.code for p in parts}
        weights = _weights(agg.get("weights"), "aggregation.weights", allowed)
    question = None
    if overall == "direct":
        question = agg.get("question")
        if question not in questions or not questions[question].scale.top:
            raise _err(
                "aggregation.question",
                f"câu hỏi chung '{question}' không tồn tại hoặc không phải thang thứ bậc",
                f"overall question '{question}' does not exist or is not ordinal",
            )
    if overall in ("mean_of_factors", "weighted") and not factors:
        raise _err("factors", "bộ câu hỏi không có yếu tố nào", "the instrument has no factor")
    multiplier = fraction(agg.get("multiplier", 1), "aggregation.multiplier")
    grades = _grades(agg.get("grades"))
    return Aggregation(
        item=item,
        overall=overall,
        weights=weights,
        question=question,
        multiplier=multiplier,
        grades=grades,
    )


def _grades(raw: Any) -> tuple[Grade, ...]:
    bands = []
    for i, entry in enumerate(_list(raw, "aggregation.grades")):
        path = f"aggregation.grades[{i}]"
        band = _mapping(entry, path)
        grade = band.get("grade")
        if not isinstance(grade, str) or not grade.strip():
            raise _err(path + ".grade", "thiếu tên xếp loại", "the grade name is missing")
        lower = band.get("from")
        if isinstance(lower, bool) or not isinstance(lower, int | str):
            raise _err(
                path + ".from",
                'cận dưới phải viết chính xác, ví dụ "88.31"',
                'the lower bound must be exact, e.g. "88.31"',
            )
        try:
            bound = Fraction(lower)
        except ValueError as exc:
            raise _err(
                path + ".from",
                f"cận dưới '{lower}' không đọc được",
                f"lower bound '{lower}' cannot be read",
            ) from exc
        label = (
            parse_label(band["label"], path + ".label") if band.get("label") else Label(vi=grade)
        )
        bands.append(Grade(lower=bound, grade=grade.strip(), label=label))
    ordered = tuple(sorted(bands, key=lambda b: b.lower, reverse=True))
    if len({b.lower for b in bands}) != len(bands):
        raise _err(
            "aggregation.grades", "hai xếp loại có cùng cận dưới", "two grades share a lower bound"
        )
    return ordered
