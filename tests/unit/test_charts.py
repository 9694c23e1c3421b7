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


def test_the_same_figures_are_drawn_once_and_new_figures_anew() -> None:
    from hailong.core import charts

    calls: list[int] = []
    real = charts.svg

    def counting(spec: dict[str, object]) -> str:
        calls.append(1)
        return real(spec)

    charts.svg = counting  # type: ignore[assignment]
    try:
        spec = {**SPEC, "data": {"values": [{"unit": "Xã Nga Sơn", "index": 71.25}]}}
        first = chart_html(spec, title="a")
        assert chart_html(spec, title="a") == first and len(calls) == 1
        changed = {**SPEC, "data": {"values": [{"unit": "Xã Nga Sơn", "index": 71.26}]}}
        assert chart_html(changed, title="a") != first and len(calls) == 2
    finally:
        charts.svg = real  # type: ignore[assignment]


def test_a_reference_line_below_every_group_stays_inside_the_chart() -> None:
    from hailong.core.charts import groups_spec

    spec = groups_spec(
        [{"label": "F1", "index": 100.0, "low": 100.0, "high": 100.0}], title="%", reference=85.25
    )
    domain = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert domain[0] <= 85.25 <= domain[1]
