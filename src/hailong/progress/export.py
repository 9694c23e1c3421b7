"""The board as an XLSX workbook: one sheet per table and one of alerts, numbers as numbers."""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter

from hailong.campaigns.models import Channel
from hailong.collection.models import CollectionMode

from .alerts import Alert
from .selectors import Board

KINDS = {
    "pace": "Chậm tiến độ",
    "volume": "Số lượng bất thường",
    "jump": "Tỉ lệ “Rất hài lòng” tăng vọt",
    "burst": "Câu trả lời dồn dập",
}


def board_xlsx(board: Board, alerts: Sequence[Alert]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    head = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#f4f6f8"}
    )
    pct = book.add_format({"num_format": "0.0"})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    names = {u.unit_id: u.name for u in board.units}

    def sheet(name: str, headers: list[str], widths: list[int]) -> xlsxwriter.worksheet.Worksheet:
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, headers, head)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        return ws

    ws = sheet(
        "Đơn vị",
        [
            "Mã đơn vị",
            "Cơ quan, đơn vị",
            "Chỉ tiêu",
            "Được chấp nhận",
            "Chờ xét duyệt",
            "Bị loại",
            "% chỉ tiêu",
            "Dự kiến đến nay",
            "% so với dự kiến",
        ],
        [12, 45, 10, 12, 12, 10, 10, 12, 12],
    )
    for r, u in enumerate(board.units, start=1):
        ws.write_string(r, 0, u.code)
        ws.write_string(r, 1, u.name)
        ws.write_number(r, 2, u.quota)
        ws.write_number(r, 3, u.counts.accepted)
        ws.write_number(r, 4, u.counts.flagged)
        ws.write_number(r, 5, u.counts.rejected)
        for col, value, fmt in ((6, u.share_of_quota, pct), (7, u.expected, pct), (8, u.pace, pct)):
            if value is None:
                ws.write_blank(r, col, None)
            else:
                ws.write_number(r, col, round(value, 1), fmt)
    ws = sheet(
        "Kênh",
        ["Kênh", "Hình thức thu thập", "Được chấp nhận", "Chờ xét duyệt", "Bị loại"],
        [20, 36, 14, 14, 10],
    )
    channels, modes = dict(Channel.choices), dict(CollectionMode.choices)
    for r, c in enumerate(board.channels, start=1):
        ws.write_string(r, 0, str(channels.get(c["source"], c["source"])))
        ws.write_string(r, 1, str(modes.get(c["mode"], c["mode"])))
        ws.write_row(r, 2, [c["counts"].accepted, c["counts"].flagged, c["counts"].rejected])
    ws = sheet("Ngày", ["Ngày", "Được chấp nhận", "Chờ xét duyệt", "Bị loại"], [12, 14, 14, 10])
    for r, d in enumerate(board.days, start=1):
        ws.write_datetime(r, 0, d["day"], day)
        ws.write_row(r, 1, [d["counts"].accepted, d["counts"].flagged, d["counts"].rejected])
    ws = sheet("Cảnh báo", ["Loại cảnh báo", "Cơ quan, đơn vị", "Nội dung"], [24, 40, 100])
    for r, a in enumerate(alerts, start=1):
        ws.write_string(r, 0, KINDS[a.kind])
        ws.write_string(r, 1, names.get(a.unit_id, ""))
        ws.write_string(r, 2, a.text)
    book.close()
    return out.getvalue()
