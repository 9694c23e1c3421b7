from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.collection.writer_process import WriterServer


class Command(BaseCommand):
    help = (
        "Run the answer writer: the one process that writes submitted answers, for every "
        "worker of 'hailong serve' (which starts it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--socket", required=True, help="the Unix socket the workers reach it on"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            server = WriterServer(options["socket"])
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"the writer cannot listen on {options['socket']}: {exc}") from exc
        server.serve_forever()
