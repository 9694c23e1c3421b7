from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.campaigns.selectors import campaign_by_code
from hailong.results.services import campaign_publish


class Command(BaseCommand):
    help = "Publish a campaign's latest computed results on the public portal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_code(options["campaign"])
        try:
            computation = campaign_publish(campaign=campaign)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã công bố / published {campaign.code} (sha256 {computation.digest[:12]})"
        )
