from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.campaigns.models import Campaign
from hailong.results.services import campaign_publish


class Command(BaseCommand):
    help = "Publish a campaign's latest computed results on the public portal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(code=options["campaign"]).first()
        if campaign is None:
            raise CommandError(
                f"Không có đợt khảo sát '{options['campaign']}' / no campaign '{options['campaign']}'"
            )
        try:
            computation = campaign_publish(campaign=campaign)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã công bố / published {campaign.code} (sha256 {computation.digest[:12]})"
        )
