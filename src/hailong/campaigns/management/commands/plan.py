from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.campaigns.selectors import campaign_by_code
from hailong.campaigns.services import PlanError, quotas_apply, quotas_by_kind, quotas_propose
from hailong.core.formats import number_vn


class Command(BaseCommand):
    help = "Propose quotas per unit from the sample-size planner (or per unit kind), and apply them with --apply."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="campaign code, e.g. sipas-2024")
        parser.add_argument(
            "--margin", type=float, default=0.05, help="margin of error, default 0.05 (±5 points)"
        )
        parser.add_argument("--confidence", type=float, default=0.95)
        parser.add_argument(
            "--method", default="proportional", help="equal, proportional or neyman (with --pooled)"
        )
        parser.add_argument(
            "--minimum", type=int, default=30, help="minimum answers per unit (default 30)"
        )
        parser.add_argument(
            "--pooled",
            action="store_true",
            help="one precision target for the province, allocated across units",
        )
        parser.add_argument(
            "--per-kind", help='fixed quotas per unit kind, e.g. "commune=150,ward=200"'
        )
        parser.add_argument(
            "--apply", action="store_true", help="write the quotas (otherwise only show them)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_code(options["campaign"])
        try:
            if options["per_kind"]:
                per_kind = {}
                for part in options["per_kind"].split(","):
                    kind, _, n = part.partition("=")
                    if not n.strip().isdigit():
                        raise PlanError(
                            f"'{part}' phải có dạng loại=số / '{part}' must read kind=number"
                        )
                    per_kind[kind.strip()] = int(n)
                if options["apply"]:
                    changed = quotas_by_kind(
                        campaign=campaign, per_kind=per_kind, actor_label="hailong plan"
                    )
                    self.stdout.write(
                        f"Đã đặt chỉ tiêu cho {changed} đơn vị / quotas set for {changed} units"
                    )
                else:
                    self.stdout.write(f"{per_kind} (thêm --apply để lưu / add --apply to save)")
                return
            planned = quotas_propose(
                campaign=campaign,
                margin=options["margin"],
                confidence=options["confidence"],
                method=options["method"],
                minimum=options["minimum"],
                per_unit=not options["pooled"],
            )
            for unit, n in sorted(planned.items(), key=lambda p: p[0].name):
                self.stdout.write(f"{unit.code:>8}  {unit.name:<45} {number_vn(n):>8}")
            self.stdout.write(
                f"{'':>8}  {'Tổng / total':<45} {number_vn(sum(planned.values())):>8}"
            )
            if options["apply"]:
                quotas_apply(campaign=campaign, planned=planned, actor_label="hailong plan")
                self.stdout.write("Đã lưu chỉ tiêu / quotas saved")
        except PlanError as exc:
            raise CommandError(str(exc)) from exc
