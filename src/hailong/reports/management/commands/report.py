import contextlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.campaigns.selectors import campaign_by_code
from hailong.reports.pdf import report_pdf, scorecard_pdf
from hailong.reports.selectors import computation_for_report
from hailong.reports.workbook import par_xlsx, workbook_xlsx
from hailong.units.models import Unit


class Command(BaseCommand):
    help = (
        "Write a campaign's official report (PDF), a unit's scorecard (--unit), the results "
        "workbook (XLSX) or the PAR Index points table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", nargs="?", help="campaign code, e.g. sipas-2024")
        parser.add_argument(
            "--worker",
            action="store_true",
            help="run the report jobs asked for on the staff page, waiting for new ones "
            "(production: a separate process; see docs/reports.md)",
        )
        parser.add_argument(
            "--once", action="store_true", help="with --worker: run the queued jobs, then stop"
        )
        parser.add_argument(
            "--remove-old-files",
            action="store_true",
            help="remove the files of report jobs finished more than "
            "HAILONG_REPORT_RETENTION_DAYS (30) days ago; the jobs stay, saying so",
        )
        parser.add_argument("--format", choices=("pdf", "xlsx", "par"), default="pdf")
        parser.add_argument("--unit", help="a unit's code: its one-page scorecard (PDF only)")
        parser.add_argument("-o", "--output", help="file to write (default: a name in ./)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["remove_old_files"]:
            from hailong.reports.runner import job_files_remove_old

            removed = job_files_remove_old()
            self.stdout.write(f"Đã xóa {removed} tệp quá hạn lưu / {removed} old file(s) removed")
            return
        if options["worker"]:
            from hailong.reports.runner import jobs_work, worker_loop

            if options["once"]:
                from hailong.reports.runner import job_files_remove_old

                job_files_remove_old()  # cron: every run, whatever this process did before
                self.stdout.write(f"{jobs_work()} job(s) run")
            else:
                self.stdout.write("Đang chờ yêu cầu tài liệu (Ctrl+C để dừng) / waiting for jobs")
                with contextlib.suppress(KeyboardInterrupt):
                    worker_loop()
            return
        if not options["campaign"]:
            raise CommandError(
                "Hãy nêu mã đợt khảo sát, hoặc --worker / name a campaign code, or --worker"
            )
        campaign = campaign_by_code(options["campaign"])
        computation = computation_for_report(campaign=campaign)
        if computation is None:
            raise CommandError(
                f"Đợt '{campaign.code}' chưa có kết quả; hãy chạy 'hailong compute {campaign.code}' / "
                f"campaign '{campaign.code}' has no results yet; run 'hailong compute {campaign.code}'"
            )
        kind, code = options["format"], options["unit"]
        if code and kind != "pdf":
            raise CommandError(
                "--unit chỉ dùng với --format pdf (phiếu điểm) / "
                "--unit goes with --format pdf (a scorecard)"
            )
        if code:
            unit = Unit.objects.filter(code=code).first()
            if unit is None:
                raise CommandError(
                    f"Không có đơn vị mã '{code}' (--unit) / no unit with code '{code}' (--unit)"
                )
            content, name = scorecard_pdf(computation, unit), f"{campaign.code}-{code}.pdf"
        elif kind == "pdf":
            content, name = report_pdf(computation), f"{campaign.code}-bao-cao.pdf"
        elif kind == "xlsx":
            content, name = workbook_xlsx(computation), f"{campaign.code}-ket-qua.xlsx"
        else:
            content, name = par_xlsx(computation), f"{campaign.code}-diem-par.xlsx"
        path = Path(options["output"] or name)
        path.write_bytes(content)
        self.stdout.write(f"{path} ({len(content):,} bytes)".replace(",", "."))
