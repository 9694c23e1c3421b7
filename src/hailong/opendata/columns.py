"""The columns of the open data files, with their meaning in Vietnamese and English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["string", "integer", "number", "boolean"]


@dataclass(frozen=True)
class Column:
    name: str
    vi: str
    en: str
    type: ColumnType = "string"
    codes: tuple[tuple[str, str, str], ...] = ()  # (code, Vietnamese label, English label)

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "vi": self.vi,
            "en": self.en,
            "type": self.type,
            "codes": [{"code": c, "vi": vi, "en": en} for c, vi, en in self.codes],
        }


LEVELS = (
    ("overall", "Chỉ số chung", "Overall index"),
    ("part", "Phần", "Part"),
    ("factor", "Yếu tố", "Factor"),
    ("item", "Tiêu chí", "Item"),
)

INDEX_COLUMNS = (
    Column("grouping", "Cách nhóm", "Grouping (province, unit, unit_kind, month, ...)"),
    Column("group_value", "Nhóm", "Group within the grouping"),
    Column("unit_code", "Mã đơn vị", "Unit code (grouping = unit)"),
    Column("unit_name", "Tên đơn vị", "Unit name (grouping = unit)"),
    Column("level", "Cấp chỉ số", "Level of the figure", codes=LEVELS),
    Column("code", "Mã chỉ số", "Code of the item, factor or part"),
    Column("label", "Tên chỉ số", "Label of the item, factor or part (Vietnamese)"),
    Column("index", "Chỉ số (%)", "Index (%)", "number"),
    Column("low", "Cận dưới khoảng tin cậy", "Lower bound of the interval", "number"),
    Column("high", "Cận trên khoảng tin cậy", "Upper bound of the interval", "number"),
    Column("se", "Sai số chuẩn", "Standard error", "number"),
    Column("n", "Số câu trả lời hợp lệ", "Valid answers", "integer"),
    Column("n_missing", "Số câu không trả lời", "Missing answers", "integer"),
    Column("n_eff", "Cỡ mẫu hiệu dụng", "Effective sample size", "number"),
    Column("deff", "Hệ số thiết kế", "Design effect", "number"),
    Column("enough", "Đủ số câu trả lời", "Enough answers to publish", "boolean"),
    Column("share_satisfied", "Tỷ lệ hài lòng", "Share satisfied", "number"),
    Column("mean_score", "Điểm trung bình", "Mean score", "number"),
    Column("mean_index", "Chỉ số theo điểm trung bình", "Mean-score index", "number"),
    Column("distribution", "Phân bố câu trả lời (JSON)", "Answer distribution (JSON)"),
    Column("rank", "Xếp hạng", "Rank", "integer"),
    Column("rank_low", "Hạng tốt nhất có thể", "Best plausible rank", "integer"),
    Column("rank_high", "Hạng kém nhất có thể", "Worst plausible rank", "integer"),
    Column("previous", "Chỉ số đợt trước", "Previous campaign's index", "number"),
    Column("delta", "Thay đổi so với đợt trước", "Change since last campaign", "number"),
    Column("delta_significant", "Thay đổi có ý nghĩa", "Significant change", "boolean"),
    Column("par_points", "Điểm PAR Index", "PAR Index points", "number"),
    Column("grade", "Xếp loại", "Grade"),
)
