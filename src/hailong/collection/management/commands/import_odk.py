from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.campaigns.selectors import campaign_by_code
from hailong.collection.models import CollectionMode
from hailong.collection.services import (
    ConflictingAnswer,
    Incoming,
    UnitNotValid,
    responses_import,
    submission_time,
)
from hailong.measurement.xlsform import SubmissionError, read_submissions
from hailong.units.models import Unit


class Command(BaseCommand):
    help = "Import answers collected offline with ODK Collect or KoboCollect (their CSV or XLSX export); all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign")
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="code of the unit the answers are about")
        parser.add_argument("--mode", default=CollectionMode.PAPER, choices=CollectionMode.values)

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_code(options["campaign"])
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None or not campaign.scope.filter(unit=unit).exists():
            raise CommandError(
                f"Đơn vị '{options['unit']}' không thuộc đợt khảo sát / unit '{options['unit']}' is not in the campaign"
            )
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp / file not found: {path}")
        try:
            form = campaign.instrument.to_core()
            if path.suffix.lower() == ".xlsx":
                submissions = read_submissions(form, path, fmt="xlsx")
            else:
                submissions = read_submissions(form, path, fmt="csv")
        except SubmissionError as exc:
            lines = [
                f"{path}: dòng/row {p.row}, cột/column '{p.column}': {p.message_vi} / {p.message_en}"
                for p in exc.problems[:50]
            ]
            raise CommandError(
                "Không nhập gì / nothing was imported:\n" + "\n".join(lines)
            ) from exc
        incoming = [
            Incoming(
                key=f"odk:{s.instance_id}",
                submitted_at=submission_time(s.submitted_at),
                answers=s.answers,
            )
            for s in submissions
        ]
        try:
            report = responses_import(
                campaign=campaign,
                unit=unit,
                incoming=incoming,
                source="import",
                collection_mode=options["mode"],
            )
        except (ConflictingAnswer, UnitNotValid) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã nhập {report.stored} phiếu, bỏ qua {report.already} phiếu đã có / "
            f"stored {report.stored}, skipped {report.already} already stored"
        )
