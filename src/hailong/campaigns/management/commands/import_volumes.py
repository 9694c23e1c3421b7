from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.campaigns.selectors import campaign_by_code
from hailong.campaigns.services import volumes_import
from hailong.core.imports import ImportRejected


class Command(BaseCommand):
    help = "Import completed files per unit (unit,files[,service|channel]) for a campaign; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_code(options["campaign"])
        try:
            n = volumes_import(
                campaign=campaign, path=options["file"], actor_label="hailong import-volumes"
            )
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Đã nhập {n} dòng số hồ sơ / imported {n} file-volume rows")
