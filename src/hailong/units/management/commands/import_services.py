from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.core.imports import ImportRejected
from hailong.units.services import services_import


class Command(BaseCommand):
    help = "Import administrative procedures (code, name, field, level, unit_kinds) from CSV or YAML; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            n = services_import(path=options["file"])
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Đã nhập {n} thủ tục / imported {n} procedures")
