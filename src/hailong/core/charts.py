"""Charts as Vega-Lite specifications, drawn to SVG by vl-convert with the Noto fonts.

The same SVG goes into the PDF report and, inline, into web pages (``chart_html``), so a chart
reads without JavaScript. A chart is made only from figures that exist: with no figures the
caller prints a sentence instead, so no empty chart pretends to be data. On a web page every
chart has its table beside it (the figures for screen readers and for copying).
"""

from __future__ import annotations

import html
import re
import threading
from typing import Any

import vl_convert as vlc

from hailong.core.documents import FONT_DIR

_fonts_registered = threading.Lock()
_registered = False
BRAND = "#a3121b"
# Vietnamese number format inside the charts: decimal comma, thousands dot.
LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " đ"]}


def _register_fonts() -> None:
    global _registered
    with _fonts_registered:
        if not _registered:
            vlc.register_font_directory(str(FONT_DIR))
            _registered = True


def svg(spec: dict[str, Any]) -> str:
    _register_fonts()
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "config": {
            "font": "Noto Sans",
            "axis": {"labelFontSize": 10, "titleFontSize": 10, "labelLimit": 300},
            "view": {"stroke": None},
        },
        **spec,
    }
    return str(vlc.vegalite_to_svg(spec, format_locale=LOCALE))


def chart_html(spec: dict[str, Any], *, title: str, description: str = "") -> str:
    """The chart as inline SVG for a page: an image with a name, scaled to its container.

    Returns markup (mark it safe in the template); the title and description are escaped here.
    """
    drawn = svg(spec)
    drawn = re.sub(r"^<\?xml[^>]*>\s*", "", drawn)
    label = html.escape(title, quote=True)
    opening = re.match(r"<svg\b[^>]*>", drawn)
    if opening is None:  # pragma: no cover - vl-convert always returns an <svg> element
        raise ValueError("vl-convert returned no <svg> element")
    head = opening.group(0)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)  # scale with the page; viewBox keeps shape
    head = re.sub(r'\sclass="[^"]*"', "", head)
    head = head[:-1] + f' role="img" aria-label="{label}" class="chart" focusable="false">'
    inner = f"<title>{label}</title>"
    if description:
        inner += f"<desc>{html.escape(description)}</desc>"
    return head + inner + drawn[opening.end() :]


def factors_chart(rows: list[dict[str, Any]], *, title: str) -> str:
    """Each factor's index as a bar, its interval as a line across the bar's end."""
    values = [
        {"label": r["label"], "index": r["index"], "low": r["low"], "high": r["high"]} for r in rows
    ]
    scale = {"domain": [max(0, min(v["low"] for v in values) - 10), 100], "nice": False}
    return svg(
        {
            "width": 220,
            "height": 22 * len(values),
            "data": {"values": values},
            "encoding": {"y": {"field": "label", "type": "nominal", "sort": None, "title": None}},
            "layer": [
                {
                    "mark": {"type": "bar", "color": "#d9a0a4", "clip": True},
                    "encoding": {
                        "x": {
                            "field": "index",
                            "type": "quantitative",
                            "title": title,
                            "scale": scale,
                            "axis": {"format": ",.0f"},
                        }
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
                    "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 9},
                    "encoding": {
                        "x": {"field": "high", "type": "quantitative"},
                        "text": {"field": "index", "format": ",.2f"},
                    },
                },
            ],
        }
    )


def ranking_chart(rows: list[dict[str, Any]], *, title: str) -> str:
    """Every ranked unit as a dot with its interval, best first."""
    values = [
        {"unit": r["unit"], "index": r["index"], "low": r["low"], "high": r["high"]} for r in rows
    ]
    low = min(v["low"] for v in values)
    return svg(
        {
            "width": 380,
            "height": max(60, 9 * len(values)),
            "data": {"values": values},
            "encoding": {
                "y": {
                    "field": "unit",
                    "type": "nominal",
                    "sort": None,
                    "title": None,
                    "axis": {"labelFontSize": 7 if len(values) > 40 else 9},
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
                    "encoding": {"x": {"field": "index", "type": "quantitative"}},
                },
            ],
        }
    )
