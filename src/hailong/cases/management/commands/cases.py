"""``hailong cases tick``: reminders, escalations and deleting old contacts, run from cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hailong.cases.services import cases_escalate


class Command(BaseCommand):
    help = "cases tick: remind units of cases due soon, escalate overdue ones, delete old contacts"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["tick"])

    def handle(self, *args: Any, **options: Any) -> None:
        done = cases_escalate()
        self.stdout.write(
            f"nhắc {done['reminded']}, chuyển điều phối {done['escalated']}, "
            f"xoá liên hệ {done['contacts_deleted']} "
            f"(reminded {done['reminded']}, escalated {done['escalated']}, "
            f"contacts deleted {done['contacts_deleted']})"
        )
