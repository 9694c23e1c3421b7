"""A4 posters and sheets of cut-out slips, typeset by typst with the Noto fonts.

Names reach typst as JSON in ``sys.inputs`` and are placed as text values, never spliced
into markup, so quotes, ``#``, ``$`` or ``*`` in a unit's name print as they are. The
wording comes from the catalogue: Vietnamese for the page, English for one subtitle.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from hailong.core.documents import pdf_compile
from hailong.core.formats import date_vn

from .images import qr_svg
from .selectors import Code, open_campaign, province_name

TEMPLATES = Path(__file__).resolve().parent / "typst"


def posters_pdf(*, codes: Sequence[Code], base: str) -> bytes:
    """One A4 poster per code: province, unit, desk or procedure, a large QR and how to answer."""
    with translation.override("vi"):
        words = {
            "heading": _("Satisfaction survey"),
            "scan": _("Scan the code to rate how satisfied you are with the service you received."),
            "steps": [
                _("Open your phone's camera and point it at the code."),
                _("Tap the link that appears and answer a few short questions."),
                _("No account or sign-in is needed."),
            ],
            "private": _(
                "Your answers are kept confidential and used only to improve the service."
            ),
            "type": _("Or type this address:"),
            "procedure": _("Procedure:"),
        }
    with translation.override("en"):
        words["subtitle"] = _("Scan the code to rate our service. Your answers are confidential.")
    pages = [_page(code, base, limit=240) | {"period": _period(code)} for code in codes]
    return _compile("poster.typ", {"province": province_name(), "words": words, "pages": pages})


def slips_pdf(*, codes: Sequence[Code], base: str) -> bytes:
    """A4 sheets of ten slips (2 × 5) to cut out and hand over with each file."""
    with translation.override("vi"):
        words = {
            "scan": _("Scan the code to rate our service. Your answers are confidential."),
            "procedure": _("Procedure:"),
        }
    slips = [_page(code, base, limit=110) for code in codes]
    return _compile("slips.typ", {"province": province_name(), "words": words, "slips": slips})


def _page(code: Code, base: str, *, limit: int) -> dict[str, object]:
    """What one poster or slip prints; a procedure's name is cut to ``limit`` to fit its box."""
    service = code.service.name if code.service else ""
    if len(service) > limit:
        service = service[: limit - 1].rsplit(" ", 1)[0] + "…"
    return {
        "unit": code.unit.name,
        "desk": code.desk.name if code.desk else "",
        "service": service,
        "service_code": code.service.code if code.service else "",
        # what a person types (browsers add the scheme): a line may break only before the path
        "address": [base.split("://", 1)[-1], code.path_printed],
        "qr": qr_svg(base + code.path).decode("ascii"),
    }


def _period(code: Code) -> str:
    campaign = open_campaign(unit=code.unit)
    if campaign is None:
        return ""
    with translation.override("vi"):
        return _("Survey period: %(start)s to %(end)s") % {
            "start": date_vn(campaign.period_start),
            "end": date_vn(campaign.period_end),
        }


def _compile(template: str, data: dict[str, object]) -> bytes:
    return pdf_compile(TEMPLATES / template, data)
