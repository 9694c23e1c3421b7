from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hailong.accounts.models import User
from hailong.accounts.services import admin_create
from hailong.collection.models import Response
from hailong.demo.services import answers_load, campaign_create, structure_load


class Command(BaseCommand):
    help = "Set up the demo province (Thanh Hóa, a 2024 survey with answers) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--responses", type=int, default=20_000, help="answers to generate (default 20000)"
        )
        parser.add_argument("--no-serve", action="store_true", help="load the data, then stop")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        total = options["responses"]
        if total < 0 or total > 5_000_000:
            raise CommandError(
                "--responses phải từ 0 đến 5.000.000 / must be between 0 and 5,000,000"
            )
        call_command("migrate", interactive=False, verbosity=0)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=None, transient=False) as bar:
            step = bar.add_task("Đơn vị, thủ tục, phiếu / units, procedures, forms", total=1)
            root = structure_load()
            campaign = campaign_create(root=root)
            bar.advance(step)
            existing = Response.objects.filter(campaign=campaign).count()
            if existing:
                self.stdout.write(
                    f"Dùng lại {existing} câu trả lời đã có / reusing {existing} stored answers"
                )
            elif total:
                task = bar.add_task("Câu trả lời mẫu / demo answers", total=total)
                answers_load(
                    campaign=campaign, total=total, progress=lambda n: bar.advance(task, n)
                )
        if not User.objects.filter(username="admin").exists():
            user, password = admin_create(username="admin")
            self.stdout.write(
                f"Tài khoản quản trị / administrator: {user.username}  "
                f"Mật khẩu / password (shown once): {password}"
            )
        else:
            self.stdout.write(
                "Tài khoản 'admin' đã có / account 'admin' exists (hailong changepassword admin)"
            )
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
