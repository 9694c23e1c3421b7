"""``hailong cases tick``: reminders, escalations, deleting old contacts and sending e-mail, from cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hailong.cases.mail import outbox_send
from hailong.cases.services import cases_escalate


class Command(BaseCommand):
    help = (
        "cases tick: remind units of cases due soon, escalate overdue ones, delete old contacts, "
        "send pending e-mail"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["tick"])

    def handle(self, *args: Any, **options: Any) -> None:
        done = cases_escalate()
        mail = outbox_send(limit=1000)  # after the steps above have committed
        self.stdout.write(
            f"nhắc {done['reminded']}, chuyển điều phối {done['escalated']}, "
            f"xoá liên hệ {done['contacts_deleted']}, thư đã gửi {mail['sent']}, "
            f"thư lỗi {mail['failed'] + mail['given_up']} "
            f"(reminded {done['reminded']}, escalated {done['escalated']}, "
            f"contacts deleted {done['contacts_deleted']}, e-mails sent {mail['sent']}, "
            f"failed {mail['failed'] + mail['given_up']})"
        )
