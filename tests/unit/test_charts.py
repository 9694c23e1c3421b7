"""Charts drawn on the server: named images that scale, with escaped titles and real text."""

from __future__ import annotations

from hailong.core.charts import chart_html

SPEC = {
    "width": 120,
    "height": 60,
    "data": {"values": [{"unit": "Xã Hoằng Hóa", "index": 82.66}]},
    "mark": "bar",
    "encoding": {
        "y": {"field": "unit", "type": "nominal"},
        "x": {"field": "index", "type": "quantitative", "axis": {"format": ",.2f"}},
    },
}


def test_an_inline_chart_is_a_named_image_that_scales() -> None:
    markup = chart_html(SPEC, title="Chỉ số <SIPAS>", description="Một đơn vị")
    head = markup[: markup.index(">") + 1]
    assert head.startswith("<svg") and 'role="img"' in head and "viewBox" in head
    assert " width=" not in head and " height=" not in head and head.count("class=") == 1
    assert "<title>Chỉ số &lt;SIPAS&gt;</title><desc>Một đơn vị</desc>" in markup
    assert "<?xml" not in markup and "<SIPAS>" not in markup


def test_numbers_in_a_chart_use_the_vietnamese_decimal_comma() -> None:
    markup = chart_html(SPEC, title="t")
    assert "Xã Hoằng Hóa" in markup and "80,00" in markup
