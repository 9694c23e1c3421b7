from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.instruments.models import InstrumentVersion
from hailong.measurement.errors import InstrumentError
from hailong.measurement.xlsform import to_xlsform


class Command(BaseCommand):
    help = (
        "Export a questionnaire as an XLSForm for ODK Collect or KoboCollect (offline collection)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="questionnaire code, e.g. sipas-2017-province")
        parser.add_argument("output", type=Path, help="the .xlsx file to write")
        parser.add_argument("--number", type=int, help="version number (default: the latest)")

    def handle(self, *args: Any, **options: Any) -> None:
        versions = InstrumentVersion.objects.filter(code=options["code"]).order_by("-version")
        if options["number"]:
            versions = versions.filter(version=options["number"])
        version = versions.first()
        if version is None:
            known = (
                ", ".join(sorted(set(InstrumentVersion.objects.values_list("code", flat=True))))
                or "(none)"
            )
            raise CommandError(
                f"Không có phiếu '{options['code']}' / no questionnaire '{options['code']}'. Known: {known}"
            )
        try:
            to_xlsform(version.to_core(), options["output"])
        except InstrumentError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{options['output']}: {version.title} v{version.version}")
