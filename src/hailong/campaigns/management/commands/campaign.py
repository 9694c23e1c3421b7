from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.campaigns.selectors import campaign_by_code
from hailong.campaigns.services import TransitionRefused, campaign_transition

STEPS = {"open": "open", "close": "closed", "reopen": "open", "publish": "published"}


class Command(BaseCommand):
    help = "Move a campaign one step: open, close, reopen or publish, with a reason (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign")
        parser.add_argument("step", choices=sorted(STEPS))
        parser.add_argument("--reason", required=True, help="why (kept in the audit log)")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_code(options["campaign"])
        try:
            campaign = campaign_transition(
                campaign=campaign,
                to=STEPS[options["step"]],
                reason=options["reason"],
                actor_label="hailong campaign",
            )
        except TransitionRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{campaign.code}: {campaign.get_status_display()}")
