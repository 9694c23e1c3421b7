from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.opendata.selectors import computation_public, published_computations
from hailong.opendata.services import opendata_build


class Command(BaseCommand):
    help = "Make the open data files of published results ahead of the first download."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", nargs="?", help="campaign code (default: every one)")

    def handle(self, *args: object, **options: object) -> None:
        code = options.get("campaign")
        if code:
            computation = computation_public(campaign_code=str(code))
            if computation is None:
                raise CommandError(
                    f"Đợt '{code}' chưa công bố kết quả; hãy chạy 'hailong publish {code}' / "
                    f"campaign '{code}' has no published results; run 'hailong publish {code}'"
                )
            computations = [computation]
        else:
            computations = published_computations()
        for computation in computations:
            for path in opendata_build(computation=computation):
                self.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")
