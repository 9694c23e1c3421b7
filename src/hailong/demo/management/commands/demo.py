import datetime as dt
import io
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hailong.accounts.models import User
from hailong.accounts.services import admin_create, password_new
from hailong.campaigns.services import campaign_transition
from hailong.collection.models import Response
from hailong.demo.people import cases_load, staff_create
from hailong.demo.services import (
    answers_load,
    campaign_create,
    current_campaigns_create,
    structure_load,
    suspicious_answers_add,
)
from hailong.results.selectors import computation_latest
from hailong.results.services import campaign_compute


class _Ticker(io.StringIO):
    """Advance a progress bar each time `migrate` reports an applied migration."""

    def __init__(self, tick: Callable[[], None]) -> None:
        super().__init__()
        self.tick = tick

    def write(self, text: str) -> int:
        if "Applying " in text:
            self.tick()
        return len(text)


def migrate_with_progress(bar: Progress) -> None:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    task = bar.add_task("Cơ sở dữ liệu / database", total=len(pending) or 1)
    call_command(
        "migrate", interactive=False, verbosity=1, stdout=_Ticker(lambda: bar.advance(task))
    )
    bar.update(task, completed=len(pending) or 1)


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
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=None, transient=False) as bar:
            migrate_with_progress(bar)
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
            if Response.objects.filter(campaign=campaign).exists() and not computation_latest(
                campaign=campaign
            ):
                task = bar.add_task("Tính chỉ số / computing indices", total=1)
                campaign_compute(campaign=campaign)
                campaign_transition(  # the 2024 results are public, as in the province
                    campaign=campaign,
                    to="published",
                    reason="Kết quả khảo sát năm 2024 đã được UBND tỉnh công bố",
                    actor_label="hailong demo",
                )
                bar.advance(task)
            today = timezone.localdate()
            survey, desk = current_campaigns_create(root=root, today=today)
            for current, share in ((survey, 0.15), (desk, 0.05)):
                if total and not Response.objects.filter(campaign=current).exists():
                    count = max(1, int(total * share))
                    task = bar.add_task(f"Đợt {current.code} / answers so far", total=count)
                    answers_load(
                        campaign=current,
                        total=count,
                        until=today - dt.timedelta(days=1),
                        progress=partial(bar.advance, task),
                    )
                    if current == survey:  # one ward that rates itself, for the progress board
                        suspicious_answers_add(campaign=survey, day=today - dt.timedelta(days=1))
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
        staff_password = password_new()
        made = staff_create(password=staff_password)
        if made:
            self.stdout.write(
                f"Tài khoản cán bộ mẫu / demo staff, mật khẩu chung / one password (shown once): "
                f"{staff_password}"
            )
            for person, _ in made:
                self.stdout.write(f"  {person.username:<18} {person.what}")
        cases = cases_load()
        if cases:
            self.stdout.write(f"Phản ánh, kiến nghị mẫu / demo cases: {cases}")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
