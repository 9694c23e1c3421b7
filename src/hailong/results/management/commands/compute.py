from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from hailong.campaigns.selectors import campaign_by_code
from hailong.measurement.weighting import WeightingError
from hailong.results.services import campaign_compute


class Command(BaseCommand):
    help = (
        "Recompute a campaign's indices (all units, factors, items, with intervals) and store them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="campaign code, e.g. sipas-2024")
        parser.add_argument(
            "--full", action="store_true", help="reread every answer instead of the changed ones"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_code(options["campaign"])
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns) as bar:
            task = bar.add_task("Tính chỉ số / computing", total=None)
            try:
                computation = campaign_compute(
                    campaign=campaign,
                    full=options["full"],
                    progress=lambda step: bar.update(
                        task, description=f"Tính chỉ số / computing: {step}"
                    ),
                )
            except WeightingError as exc:  # nothing was stored; the message names the strata
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{campaign.code}: {computation.n_answers} câu trả lời / answers, "
            f"{computation.rows.count()} chỉ số / figures, {computation.seconds:.1f} s "
            f"(sha256 {computation.digest[:12]})"
        )
