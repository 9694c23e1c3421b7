"""Charts drawn on the server: named images that scale, with escaped titles and real text."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import vl_convert as vlc

from hailong.core.charts import BUNDLE, chart_html, ranking_spec

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
    markup = chart_html(SPEC, title="Chỉ số <SIPAS>", description="Một đơn vị", interactive=False)
    frame, markup = markup[: markup.index(">") + 1], markup[markup.index(">") + 1 :]
    assert 'role="group" tabindex="0" aria-label="Chỉ số &lt;SIPAS&gt;"' in frame
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


def test_an_interactive_chart_carries_its_spec_safely_beside_the_drawing() -> None:
    spec = {
        **SPEC,
        "data": {"values": [{"unit": "</script><script>alert(1)</script> & <!--", "index": 50.0}]},
    }
    markup = chart_html(spec, title="t")
    assert '<div class="chart-live" data-chart><svg' in markup
    carried = re.search(
        r'<script type="application/json">(.*?)</script></div></div>$', markup, re.S
    )
    assert carried is not None
    assert "<" not in carried.group(1) and ">" not in carried.group(1)
    assert "&" not in carried.group(1)
    parsed = json.loads(carried.group(1))
    assert parsed["data"]["values"][0]["unit"] == "</script><script>alert(1)</script> & <!--"
    assert parsed["config"]["aria"] is False  # the browser draws with the server's settings
    assert markup.count("<script") == 1  # the name in the drawing is escaped text


def test_links_go_to_the_browser_only() -> None:
    rows = [
        {"unit": "Xã Hoằng Hóa", "index": 82.0, "low": 78.0, "high": 86.0, "href": "/ket-qua/X1/"},
        {"unit": "Xã Nga Sơn", "index": 75.0, "low": 70.0, "high": 80.0, "href": "/ket-qua/X2/"},
    ]
    markup = chart_html(ranking_spec(rows, title="%"), title="t")
    drawing, carried = markup.split('<script type="application/json">')
    assert "<a" not in drawing and "/ket-qua/X1/" not in drawing  # no link inside the image
    spec = json.loads(carried.removesuffix("</script></div></div>"))
    assert [v["href"] for v in spec["data"]["values"]] == ["/ket-qua/X1/", "/ket-qua/X2/"]
    assert spec["layer"][-1]["encoding"]["href"] == {"field": "href", "type": "nominal"}


def test_the_browser_bundle_is_the_vega_the_server_draws_with() -> None:
    bundle = Path(__file__).resolve().parents[2] / "src/hailong/core/static" / BUNDLE
    assert bundle.exists(), "run 'make vendor-charts' after upgrading vl-convert"
    assert f'"{vlc.get_vega_version()}"' in bundle.read_text()  # the version inside the file
    assert bundle.stat().st_size > 500_000


def _shown(rows: int) -> dict[str, object]:
    from hailong.core.charts import factors_spec, groups_spec, series_spec

    lines = [
        {"label": f"Ẩn ặ đơn vị {i}", "unit": f"Xã Ẩm Sặt {i}", "index": 80.0 - i * 0.1,
         "low": 70.0, "high": 90.0}
        for i in range(rows)
    ]  # fmt: skip
    points = [{"series": s, "year": str(y), "index": 80.0} for s in "AB" for y in (2023, 2024)]
    return {
        "ranking": ranking_spec(lines, title="Hài lòng (%)"),
        "factors": factors_spec(lines, title="Hài lòng (%)"),
        "groups": groups_spec(lines, title="Hài lòng (%)", reference=80.0),
        "series": series_spec(points, title="Hài lòng (%)"),
    }


def test_on_a_360_px_phone_every_chart_text_shows_at_least_12_px() -> None:
    """The page shows a drawing at its container's width (328 px on a 360 px phone) but never
    narrower than the width it was drawn at (its min-width): the displayed size of a text is
    its drawn size times max(328, min-width) / drawn width."""
    for rows in (3, 12, 150):
        for name, spec in _shown(rows).items():
            markup = chart_html(spec, title=name, interactive=False)
            width = float(re.search(r'viewBox="0 0 ([\d.]+)', markup).group(1))  # type: ignore[union-attr]
            floor = float(re.search(r"min-width:([\d.]+)px", markup).group(1))  # type: ignore[union-attr]
            scale = max(328.0, floor) / width
            sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', markup)]
            assert sizes, name
            assert min(sizes) * scale >= 12.0, (name, rows, min(sizes), scale)


def test_a_ranking_line_is_tall_enough_for_stacked_vietnamese_marks() -> None:
    for rows in (3, 12, 41, 150):
        for name in ("ranking", "factors", "groups"):
            spec = _shown(rows)[name]
            markup = chart_html(spec, title=name, interactive=False)
            labels = re.findall(
                r'<text text-anchor="end" transform="translate\(-[\d.]+,([\d.]+)\)"'
                r' font-family="[^"]*" font-size="([\d.]+)px"',
                markup,
            )
            ys = sorted({float(y) for y, _ in labels})
            assert len(ys) >= rows, (name, rows, len(ys))
            pitch = min(b - a for a, b in itertools.pairwise(ys)) if rows > 1 else None
            size = max(float(s) for _, s in labels)
            if pitch is not None:
                assert pitch >= 1.4 * size, (name, rows, pitch, size)
