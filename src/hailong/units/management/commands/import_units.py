from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.core.imports import ImportRejected
from hailong.units.models import Unit, UnitKind
from hailong.units.services import units_import


class Command(BaseCommand):
    help = "Import units (code, name, kind, name_en, address, phone, email) from CSV or YAML; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--parent", help="code of the parent unit (default: the province)")

    def handle(self, *args: Any, **options: Any) -> None:
        parents = (
            Unit.objects.filter(code=options["parent"])
            if options["parent"]
            else Unit.objects.filter(kind=UnitKind.PROVINCE, parent=None)
        )
        parent = parents.first()
        if parent is None:
            raise CommandError(
                "Không tìm thấy đơn vị cha / parent unit not found: run 'hailong demo' or give --parent"
            )
        try:
            n = units_import(path=options["file"], parent=parent)
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Đã nhập {n} đơn vị / imported {n} units")
