"""PDF documents from typst templates, with the Noto fonts and nothing fetched.

Data reach a template only as JSON in ``sys.inputs`` (read there with ``json(bytes(...))``),
never spliced into markup, so a unit name with ``#``, ``$`` or quotes prints as written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typst

FONT_DIR = Path("/usr/share/fonts/truetype/noto")  # Debian fonts-noto-core


def pdf_compile(template: Path, data: dict[str, Any]) -> bytes:
    """Compile ``template`` with ``data`` into one PDF."""
    if not FONT_DIR.is_dir():
        raise RuntimeError(
            f"Thiếu phông chữ Noto ({FONT_DIR}) / the Noto fonts are missing: "
            "run 'make system' (installs fonts-noto-core)"
        )
    pdf = typst.compile(
        template,
        font_paths=[FONT_DIR],
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
    )
    if not isinstance(pdf, bytes):
        raise TypeError("typst returned page images instead of one PDF")
    return pdf
