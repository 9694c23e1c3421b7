"""Charts as Vega-Lite specifications, drawn to SVG by vl-convert with the Noto fonts.

The same SVG goes into the PDF report and, inline, into web pages (``chart_html``), so a chart
reads without JavaScript. A chart is made only from figures that exist: with no figures the
caller prints a sentence instead, so no empty chart pretends to be data. On a web page every
chart has its table beside it (the figures for screen readers and for copying).

In the browser a chart becomes interactive when someone reaches for it (``core/charts.js``):
the page carries the same specification, and the first pointer or touch on a chart loads Vega
(the bundle vl-convert itself runs, ``BUNDLE``, served from this site) and redraws it with
tooltips, links to each unit's page and legends that pick a series. Nobody downloads Vega who
does not touch a chart; without JavaScript the server's SVG stays.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from typing import Any

import vl_convert as vlc
from django.core.cache import cache
from django.templatetags.static import static
from django.utils.translation import gettext as _

from hailong.core.documents import FONT_DIR

_fonts_registered = threading.Lock()
_registered = False
BRAND = "#a3121b"
# Vietnamese number format inside the charts: decimal comma, thousands dot.
LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " đ"]}
# Vega, Vega-Lite and vega-embed as vl-convert bundles them: the browser draws with the very
# versions the server draws with. `make vendor-charts` writes it; a test checks the version.
BUNDLE = f"core/vendor/vega-{vlc.get_vega_version()}-bundle.min.js"
# Every word and number in a chart is drawn at FONT px and shown at least that size: a page
# never shrinks a chart below its drawn width (``chart_html``: on a narrow phone it scrolls
# sideways inside its own region instead), so 12 px drawn reads as 12 CSS px on a 360 px phone.
FONT = 12
# A line of a chart (a ranked unit, a factor) is at least 1.5 times its labels' font size tall:
# Vietnamese stacks two marks on a letter ("Ẩ", "ặ") and needs about 1.4 for lines not to touch.
ROW = -(-FONT * 3 // 2)
CONFIG: dict[str, Any] = {
    # the page names the whole <svg role="img">; ARIA on inner marks (some of them
    # empty layers) only adds unnamed images for screen readers
    "aria": False,
    "mark": {"aria": False},
    "font": "Noto Sans",
    "axis": {"labelFontSize": FONT, "titleFontSize": FONT, "labelLimit": 300, "aria": False},
    "legend": {"aria": False, "labelFontSize": FONT, "titleFontSize": FONT},
    "text": {"fontSize": FONT},
    "view": {"stroke": None},
}


def _register_fonts() -> None:
    global _registered
    with _fonts_registered:
        if not _registered:
            vlc.register_font_directory(str(FONT_DIR))
            _registered = True


def _configured(spec: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "config": CONFIG, **spec}


def _without_links(part: Any) -> Any:
    """The spec without ``href`` channels (nor the pointer cursor they call for): in a static
    SVG vl-convert would prefix each link with its data URL, and links inside an image are
    hidden from screen readers anyway (the table beside the chart carries the same links)."""
    if isinstance(part, dict):
        return {k: _without_links(v) for k, v in part.items() if k not in ("href", "cursor")}
    if isinstance(part, list):
        return [_without_links(v) for v in part]
    return part


def svg(spec: dict[str, Any]) -> str:
    _register_fonts()
    return str(vlc.vegalite_to_svg(_configured(_without_links(spec)), format_locale=LOCALE))


def svg_cached(spec: dict[str, Any]) -> str:
    """``svg`` remembered by the spec's content hash: the spec holds the figures, so a new
    computation draws anew while the same figures (a 200-unit ranking takes ~1 s) are drawn once."""
    canonical = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    key = "hailong:chart:" + hashlib.sha256(canonical.encode()).hexdigest()
    drawn = cache.get(key)
    if drawn is None:
        drawn = svg(spec)
        cache.set(key, drawn, 24 * 3600)
    return str(drawn)


def drawn_width(drawing: str) -> int:
    """The width an SVG from ``svg`` was drawn at (its viewBox), in CSS px."""
    box = re.search(r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)', drawing)
    return round(float(box.group(1))) if box else 0


def chart_html(
    spec: dict[str, Any], *, title: str, description: str = "", interactive: bool = True
) -> str:
    """The chart as inline SVG for a page: an image with a name, in a named frame of its own
    that scrolls sideways (keyboard-focusable) when the screen is narrower than the drawing;
    ``interactive`` adds the spec for ``core/charts.js`` (see the module's docstring).

    The drawing widens with its container (up to a quarter more) but never shrinks below the
    width it was drawn at (``min-width``): shrunk to a 360 px phone, its text came out 5 px tall.

    Returns markup (mark it safe in the template); the title and description are escaped here.
    """
    drawn = svg_cached(spec)
    drawn = re.sub(r"^<\?xml[^>]*>\s*", "", drawn)
    label = html.escape(title, quote=True)
    opening = re.match(r"<svg\b[^>]*>", drawn)
    if opening is None:  # pragma: no cover - vl-convert always returns an <svg> element
        raise ValueError("vl-convert returned no <svg> element")
    head = opening.group(0)
    width = drawn_width(head)
    head = re.sub(r'\s(width|height|style)="[^"]*"', "", head)  # the viewBox keeps the shape
    head = re.sub(r'\sclass="[^"]*"', "", head)
    head = head[:-1] + (
        f' role="img" aria-label="{label}" class="chart" focusable="false"'
        f' style="min-width:{width}px;max-width:{width * 5 // 4}px">'
    )
    inner = f"<title>{label}</title>"
    if description:
        inner += f"<desc>{html.escape(description)}</desc>"
    static_svg = head + inner + drawn[opening.end() :]
    # The frame is as wide as its container whatever it holds (inline-size containment: in a
    # flex row it would otherwise stretch to the drawing) and scrolls what does not fit; it
    # takes the focus, so the keyboard scrolls it too, and is named for its chart. A named
    # group, not a region: a landmark per chart would crowd the page's landmarks, and the
    # dashboards' tables (regions) are named with the very caption their chart bears.
    region = (
        f'<div class="scroll chart-scroll" role="group" tabindex="0" aria-label="{label}"'
        ' style="overflow-x:auto;contain:inline-size">'
    )
    if not interactive:
        return f"{region}{static_svg}</div>"
    data = json.dumps(_configured(spec), ensure_ascii=False, separators=(",", ":"), default=str)
    # inside <script>, "</" or "<!--" would end or bend the element: escape every "<", ">", "&"
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        f'{region}<div class="chart-live" data-chart>{static_svg}'
        f'<script type="application/json">{data}</script></div></div>'
    )


def chart_script() -> str:
    """The ``<script>`` a page with charts puts in its head: small, deferred; it fetches the
    Vega bundle only when a chart is first touched."""
    locale = html.escape(json.dumps(LOCALE, ensure_ascii=False), quote=True)
    return (
        f'<script defer src="{static("core/charts.js")}" data-bundle="{static(BUNDLE)}" '
        f'data-locale="{locale}"></script>'
    )


def tooltip_interval(low: str = "low", high: str = "high") -> dict[str, Any]:
    """A calculate transform giving ``interval`` as "81,6–92,3" for tooltips."""
    return {
        "calculate": f"format(datum.{low}, ',.1f') + '–' + format(datum.{high}, ',.1f')",
        "as": "interval",
    }


def _tips(name: str, name_title: str) -> list[dict[str, Any]]:
    return [
        {"field": name, "type": "nominal", "title": name_title},
        {"field": "index", "type": "quantitative", "title": _("Index (%)"), "format": ",.2f"},
        {"field": "interval", "type": "nominal", "title": _("Interval (95%)")},
    ]


def factors_chart(rows: list[dict[str, Any]], *, title: str) -> str:
    """Each factor's index as a bar, its interval as a line across the bar's end."""
    return svg(factors_spec(rows, title=title))


def factors_spec(rows: list[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Bars with interval lines; rows need label, index, low, high (and no None index)."""
    values = [
        {"label": r["label"], "index": r["index"],
         "low": r["low"] if r["low"] is not None else r["index"],
         "high": r["high"] if r["high"] is not None else r["index"]}
        for r in rows
    ]  # fmt: skip
    lows = [v["low"] for v in values]
    scale = {"domain": [max(0, min(lows) - 10), 100], "nice": False}
    return {
        "width": 200,
        "height": (ROW + 4) * len(values),
        "data": {"values": values},
        "transform": [tooltip_interval()],
        "encoding": {"y": {"field": "label", "type": "nominal", "sort": None, "title": None}},
        "layer": [
            {
                "mark": {"type": "bar", "color": "#d9a0a4", "clip": True},
                "encoding": {
                    "tooltip": _tips("label", _("Factor")),
                    "x": {
                        "field": "index",
                        "type": "quantitative",
                        "title": title,
                        "scale": scale,
                        "axis": {"format": ",.0f"},
                    },
                },
            },
            {
                "mark": {"type": "rule", "color": BRAND, "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "low", "type": "quantitative"},
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": FONT},
                "encoding": {
                    "x": {"field": "high", "type": "quantitative"},
                    "text": {"field": "index", "format": ",.2f"},
                },
            },
        ],
    }


def ranking_chart(rows: list[dict[str, Any]], *, title: str, low: float | None = None) -> str:
    """Every ranked unit as a dot with its interval, best first."""
    return svg(ranking_spec(rows, title=title, low=low))


def ranking_spec(
    rows: list[dict[str, Any]], *, title: str, low: float | None = None
) -> dict[str, Any]:
    """Dots with interval rules, one line per unit in the given order; rows need unit, index,
    low, high; a row with ``"few": True`` is drawn hollow and grey (too few answers). With an
    ``href`` per row, a click on the unit's line opens its page (in the browser). Each line is
    ``ROW`` tall (1.5 times the labels' size); ``low`` starts the scale there (so that the
    parts of a long ranking split over pages share one scale)."""
    values = [
        {
            "unit": r["unit"],
            "index": r["index"],
            "low": r["low"] if r["low"] is not None else r["index"],
            "high": r["high"] if r["high"] is not None else r["index"],
            "few": bool(r.get("few", False)),
            **({"href": r["href"]} if r.get("href") else {}),
        }
        for r in rows
    ]
    if low is None:
        low = min(v["low"] for v in values)
    linked = all("href" in v for v in values)
    # a unit's whole line answers the pointer (its dot alone is a few pixels wide)
    line: dict[str, Any] = {
        "mark": {"type": "rect", "opacity": 0, **({"cursor": "pointer"} if linked else {})},
        "encoding": {
            "x": {"value": 0},
            "x2": {"value": "width"},
            "tooltip": _tips("unit", _("Unit")),
            **({"href": {"field": "href", "type": "nominal"}} if linked else {}),
        },
    }
    return {
        "width": 300,
        "height": max(60, ROW * len(values)),
        "data": {"values": values},
        "transform": [tooltip_interval()],
        "encoding": {
            "y": {
                "field": "unit",
                "type": "nominal",
                "sort": None,
                "title": None,
            }
        },
        "layer": [
            {
                "mark": {"type": "rule", "color": "#9aa3ad"},
                "encoding": {
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "title": title,
                        "scale": {"domain": [max(0, low - 5), 100], "nice": False},
                        "axis": {"format": ",.0f"},
                    },
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "color": BRAND, "size": 18},
                "transform": [{"filter": "!datum.few"}],
                "encoding": {"x": {"field": "index", "type": "quantitative"}},
            },
            {
                "mark": {"type": "point", "filled": False, "color": "#5f6b76", "size": 18},
                "transform": [{"filter": "datum.few"}],
                "encoding": {"x": {"field": "index", "type": "quantitative"}},
            },
            line,  # on top: the whole line answers the pointer
        ],
    }


def groups_spec(
    rows: list[dict[str, Any]],
    *,
    title: str,
    reference: float | None = None,
    reference_label: str = "",
) -> dict[str, Any]:
    """One bar per group (label, index, low, high), its interval as a rule, and the province's
    figure as a dashed vertical line to compare against."""
    values = [
        {"label": r["label"], "index": r["index"],
         "low": r["low"] if r["low"] is not None else r["index"],
         "high": r["high"] if r["high"] is not None else r["index"]}
        for r in rows
    ]  # fmt: skip
    low = min([v["low"] for v in values] + ([reference] if reference is not None else []))
    x = {"type": "quantitative", "scale": {"domain": [max(0, low - 10), 100], "nice": False}}
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "color": "#d9a0a4", "clip": True},
            "encoding": {
                "x": {**x, "field": "index", "title": title, "axis": {"format": ",.0f"}},
                "tooltip": _tips("label", _("Group")),
            },
        },
        {
            "mark": {"type": "rule", "color": BRAND, "strokeWidth": 2},
            "encoding": {"x": {**x, "field": "low"}, "x2": {"field": "high"}},
        },
    ]
    if reference is not None:
        layers.append(
            {
                "data": {"values": [{"ref": reference, "label": reference_label}]},
                "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#1d3c6e", "size": 2},
                "encoding": {
                    "x": {**x, "field": "ref"},
                    "y": None,
                    "tooltip": [
                        {"field": "label", "type": "nominal", "title": " "},
                        {
                            "field": "ref",
                            "type": "quantitative",
                            "title": _("Index (%)"),
                            "format": ",.2f",
                        },
                    ],
                },
            }
        )
    return {
        "width": 200,
        "height": max(40, (ROW + 2) * len(values)),
        "data": {"values": values},
        "transform": [tooltip_interval()],
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None,
                  "axis": {"labelLimit": 260}}
        },
        "layer": layers,
    }  # fmt: skip


def series_spec(points: list[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Index by year, one coloured line per series (``series``, ``year``, ``index``): the
    province's campaigns beside the national SIPAS reference. In the browser a click on a
    legend entry picks that series (the others fade)."""
    return {
        "width": 280,
        "height": 180,
        "data": {"values": points},
        "params": [{"name": "pick", "select": {"type": "point", "fields": ["series"]},
                    "bind": "legend"}],
        "mark": {"type": "line", "point": {"filled": True, "size": 40}},
        "encoding": {
            "opacity": {"condition": {"param": "pick", "value": 1}, "value": 0.2},
            "tooltip": [{"field": "series", "type": "nominal", "title": _("Series")},
                        {"field": "year", "type": "ordinal", "title": _("Year")},
                        {"field": "index", "type": "quantitative", "title": _("Index (%)"),
                         "format": ",.2f"}],
            "x": {"field": "year", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
            "y": {"field": "index", "type": "quantitative", "title": title,
                  "scale": {"zero": False, "nice": True}, "axis": {"format": ",.0f"}},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"range": [BRAND, "#1d3c6e", "#5f6b76"]},
                      "legend": {"orient": "bottom", "labelLimit": 300}},
            "strokeDash": {"field": "series", "type": "nominal", "legend": None},
        },
    }  # fmt: skip
