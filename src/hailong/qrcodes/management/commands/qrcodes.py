from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.qrcodes.images import public_base
from hailong.qrcodes.printables import posters_pdf, slips_pdf
from hailong.qrcodes.selectors import Code, unit_codes
from hailong.settings.env import public_url
from hailong.units.models import Unit


class Command(BaseCommand):
    help = (
        "Print a unit's QR link, its A4 poster (--poster) or its sheet of slips (--slips) as PDF."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("unit", help="the unit's official code, e.g. SNV or 14797")
        parser.add_argument("--poster", type=Path, help="write the A4 poster to this PDF file")
        parser.add_argument("--slips", type=Path, help="write the sheet of slips to this PDF file")
        parser.add_argument("--service", help="procedure code (mã TTHC) for the poster's code")
        parser.add_argument("--desk", help="desk code (e.g. quay-1) for the poster's code")
        parser.add_argument(
            "--by-desk", action="store_true", help="slips: one per desk instead of per procedure"
        )
        parser.add_argument(
            "--base-url", help="scheme and host the codes point at (default: HAILONG_PUBLIC_URL)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(
                f"Không có đơn vị mã '{options['unit']}' / no unit with code '{options['unit']}'"
            )
        service = desk = None
        if options["service"]:
            service = unit.services.filter(code=options["service"]).first()
            if service is None:
                raise CommandError(
                    f"{unit.name} không thực hiện thủ tục '{options['service']}' / "
                    f"{unit.code} does not deliver procedure '{options['service']}'"
                )
        if options["desk"]:
            desk = unit.desks.filter(code=options["desk"], active=True).first()
            if desk is None:
                raise CommandError(
                    f"{unit.name} không có quầy '{options['desk']}' đang hoạt động / "
                    f"{unit.code} has no active desk '{options['desk']}'"
                )
        try:
            given = public_url(options["base_url"] or "", mail_leaves=False, name="--base-url")
            base = given or public_base()
        except ImproperlyConfigured as exc:  # what a phone could not open, as for the setting
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(f"{exc}; or pass --base-url") from exc
        code = Code(unit=unit, service=service, desk=desk)
        self.stdout.write(base + code.path)
        if options["poster"]:
            self._write(options["poster"], posters_pdf(codes=[code], base=base))
        if options["slips"]:
            codes = unit_codes(unit=unit, by="desk" if options["by_desk"] else "service")
            self._write(options["slips"], slips_pdf(codes=codes, base=base))

    def _write(self, path: Path, pdf: bytes) -> None:
        try:
            path.write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Không ghi được {path} / cannot write {path}: {exc}") from exc
        self.stdout.write(f"Đã ghi / written: {path}")
