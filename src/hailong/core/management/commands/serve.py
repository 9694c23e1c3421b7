import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve hailong with granian (ASGI) on http://127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HAILONG_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("HAILONG_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            # one process per core (at most 4): each has its own writer; see docs/performance.md
            default=int(os.environ.get("HAILONG_WORKERS", str(min(os.cpu_count() or 1, 4)))),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"hailong: http://{options['host']}:{options['port']}/  (Ctrl+C để dừng / to stop)"
        )
        self.stdout.flush()
        argv = [
            sys.executable, "-m", "granian", "--interface", "asginl",
            "--host", options["host"], "--port", str(options["port"]),
            "--workers", str(options["workers"]),
            "--static-path-route", settings.STATIC_URL.rstrip("/"),
            "--static-path-mount", str(settings.STATIC_ROOT),
            "--no-access-log", "hailong.asgi:application",
        ]  # fmt: skip
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hailong.settings.base")
        os.execv(sys.executable, argv)  # noqa: S606 - replace this process with the server
