"""QR code images of a link: SVG for print and screens, PNG for messaging apps."""

from __future__ import annotations

import io

import segno

from hailong.core.links import public_base

__all__ = ["public_base", "qr_png", "qr_svg"]

# Q restores a code with a quarter of it scratched or dirty: posters hang for a year.
ERROR_LEVEL = "q"
QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def qr_svg(url: str, *, scale: float = 1, title: str = "") -> bytes:
    """The code as a stand-alone SVG (one path; ``scale`` pixels per module)."""
    out = io.BytesIO()
    code = segno.make(url, error=ERROR_LEVEL, micro=False)
    code.save(out, kind="svg", scale=scale, border=QUIET_ZONE, xmldecl=False, title=title or None)
    return out.getvalue()


def qr_png(url: str, *, scale: int = 10) -> bytes:
    """The code as a PNG, big enough to survive a messaging app's recompression."""
    out = io.BytesIO()
    segno.make(url, error=ERROR_LEVEL, micro=False).save(
        out, kind="png", scale=scale, border=QUIET_ZONE
    )
    return out.getvalue()
