"""The link and the QR code printed on a result slip."""

from __future__ import annotations

import segno
from django.http import HttpRequest
from django.utils.html import escape

from hailong.core.links import public_base


def invitation_url(code: str, request: HttpRequest | None) -> str:
    """The absolute ``/m/<CODE>`` link a QR code encodes."""
    return f"{public_base(request)}/m/{code}"


def qr_svg(url: str, *, title: str) -> str:
    """An inline SVG of ``url`` (medium error correction), sized by CSS through its viewBox."""
    code = segno.make(url, error="m")
    svg = str(code.svg_inline(scale=1, omitsize=True, svgclass="qr", title=escape(title)))
    return svg.replace("<svg ", '<svg role="img" ', 1)  # named by its <title>
