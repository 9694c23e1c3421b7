import sys
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.comments import LexiconError, comment_tags, lexicon_load, mask
from hailong.comments.tokens import words


class Command(BaseCommand):
    help = "Tag comments (one a line, - for standard input) by factor and tone, with the evidence and the masked text."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="UTF-8 text file, one comment a line; - reads standard input"
        )
        parser.add_argument("--lexicon", type=Path, help="another lexicon.yaml to try")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            lexicon = lexicon_load(options["lexicon"])
            if options["file"] == "-":
                lines = sys.stdin.read().splitlines()
            else:
                lines = Path(options["file"]).read_text(encoding="utf-8").splitlines()
        except LexiconError as exc:
            raise CommandError(f"Từ điển sai / bad lexicon {options['lexicon']}: {exc}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                f"Không đọc được tệp / cannot read {options['file']} (cần UTF-8 / needs UTF-8): {exc}"
            ) from exc
        totals: Counter[str] = Counter()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            tags = comment_tags(line, lexicon)
            totals.update(tags.factors)
            totals[tags.tone] += 1
            masked = mask(line)
            factors = ", ".join(
                f"{f} ({lexicon.factor_names[f]})" if f in lexicon.factor_names else f
                for f in sorted(tags.factors)
            )
            self.stdout.write(f"{number}: {masked.text}")
            if masked.found:
                self.stdout.write(f"   đã che / masked: {', '.join(masked.found)}")
            self.stdout.write(f"   yếu tố / factors: {factors}")
            self.stdout.write(f"   giọng điệu / tone: {tags.tone}")
            for ev in tags.evidence:
                note = f"  {ev.note}" if ev.note else ""
                self.stdout.write(
                    f"     {ev.tag:<10} «{ev.text}» [{ev.start}:{ev.end}] ← {ev.entry}{note}"
                )
            self.stdout.write(f"   từ / words: {' '.join(words(masked.text))}")
        summary = ", ".join(f"{tag} {n}" for tag, n in sorted(totals.items()))
        self.stdout.write(f"Tổng / total: {summary or '0'}")
