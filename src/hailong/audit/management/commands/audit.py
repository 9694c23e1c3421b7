import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.audit.export import export_csv, export_jsonl
from hailong.audit.models import AuditEntry
from hailong.audit.selectors import audit_verify, entries_search


def _day(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CommandError(
        f"--since {text!r}: ngày phải có dạng 2026-03-01 hoặc 01/03/2026 / "
        "the date must look like 2026-03-01 or 01/03/2026"
    )


class Command(BaseCommand):
    help = "Check the audit log's hash chain (verify) or write it out (export)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser(
            "verify", help="recompute every hash; exit code 1 names the first broken entry"
        )
        export = sub.add_parser("export", help="write the log to standard output")
        export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
        export.add_argument("--since", type=_day, help="first day, e.g. 2026-03-01")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "verify":
            report = audit_verify()
            if not report.ok:
                self.stderr.write(report.text())
                sys.exit(1)
            self.stdout.write(report.text())
            return
        entries = entries_search(AuditEntry.objects.order_by("seq"), since=options["since"])
        lines = export_jsonl if options["format"] == "jsonl" else export_csv
        for line in lines(entries.iterator(chunk_size=2000)):
            self.stdout.write(line, ending="")
