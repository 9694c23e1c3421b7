"""Benchmark: tagging the demo's comments into the database (``comments_sync``).

Builds the demo province in a fresh SQLite database in a temporary folder, loads answers
(about one in six carries a comment), then times: the first full sync (every comment tagged
and masked), a second sync with nothing changed (what each page load pays), one bounded
page-load sync after 200 new answers, and a re-tag of everything under an edited lexicon.
Run: ``.venv/bin/python bench/topics.py`` (``--answers 20000``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import yaml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=20000)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="hailong-bench-topics-"))
    os.environ["HAILONG_VAR_DIR"] = str(var)
    os.environ["HAILONG_DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hailong.settings.base")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from hailong.collection.models import Response
    from hailong.comments import comment_tags
    from hailong.comments.lexicon import lexicon_parse
    from hailong.demo.services import answers_load, campaign_create, structure_load
    from hailong.topics.models import Comment
    from hailong.topics.services import comments_sync
    from hailong.topics.views import SYNC_ON_READ

    call_command("migrate", verbosity=0)
    campaign = campaign_create(root=structure_load())
    answers_load(campaign=campaign, total=args.answers, progress=lambda n: None)
    start = time.perf_counter()
    comment_tags("khởi động")  # pyvi's model, loaded once per process
    print(f"pyvi model load: {time.perf_counter() - start:.2f} s")

    def timed(label: str, **kw: object) -> None:
        report = comments_sync(campaign=campaign, **kw)  # type: ignore[arg-type]
        rate = report.tagged / report.seconds if report.tagged else 0
        print(
            f"{label}: {report.read} answers read, {report.tagged} tagged, "
            f"{report.seconds:.2f} s" + (f" ({rate:.0f} comments/s)" if rate else "")
        )

    timed("first sync")
    timed("second sync, nothing changed")
    for i, response in enumerate(Response.objects.filter(campaign=campaign)[:200]):
        response.answers["y_kien"] = f"Phải chờ lâu quá, lần thứ {i}"
        response.save()
    timed(f"page load after 200 changed answers (limit {SYNC_ON_READ})", limit=SYNC_ON_READ)
    data = yaml.safe_load(
        resources.files("hailong.comments").joinpath("lexicon.yaml").read_text("utf-8")
    )
    data["factors"]["F3"]["terms"].append("nói chuyện nhỏ nhẹ")
    timed("re-tag under an edited lexicon", lexicon=lexicon_parse(data))
    print(f"comments stored: {Comment.objects.count()}")


if __name__ == "__main__":
    main()
