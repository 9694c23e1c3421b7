import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from hailong.core.supervisor import WriterFailed, serve, writer_socket


class Command(BaseCommand):
    help = (
        "Serve hailong with granian (ASGI) on http://127.0.0.1:8000, with the one process "
        "that writes submitted answers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HAILONG_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("HAILONG_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            # one process per core (at most 4); one writer for all of them (docs/performance.md)
            default=int(os.environ.get("HAILONG_WORKERS", str(min(os.cpu_count() or 1, 4)))),
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="the static files are collected already (by a deployment step)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
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
        connections.close_all()  # this process only watches the others from now on
        try:
            with writer_socket(settings.HAILONG_WRITER_SOCKET, settings.VAR_DIR) as path:
                status = serve(argv, path)
        except WriterFailed as exc:
            raise CommandError(str(exc)) from exc
        if status:
            sys.exit(status)
