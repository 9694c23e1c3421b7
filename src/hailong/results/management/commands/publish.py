from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.campaigns.selectors import campaign_by_code
from hailong.campaigns.services import TransitionRefused, campaign_transition
from hailong.results.selectors import computation_latest


class Command(BaseCommand):
    help = "Publish a closed campaign's latest computed results on the public portal (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign")
        parser.add_argument(
            "--reason",
            default="Công bố bằng lệnh hailong publish / published with hailong publish",
            help="why (kept in the audit log)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_code(options["campaign"])
        try:
            campaign_transition(
                campaign=campaign,
                to="published",
                reason=options["reason"],
                actor_label="hailong publish",
            )
        except TransitionRefused as exc:
            raise CommandError(str(exc)) from exc
        computation = computation_latest(campaign=campaign)
        digest = computation.digest[:12] if computation else ""
        self.stdout.write(f"Đã công bố / published {campaign.code} (sha256 {digest})")
