"""Benchmark: the official report (PDF) and the results workbook (XLSX) of a 200-unit province.

Builds the demo province (181 units) plus 19 more communes in a fresh SQLite database in a
temporary folder, loads answers for every unit, computes, then times (best of ``--repeat``)
the full report, the workbook and, as a baseline measured in the same run, one unit's
one-page scorecard — read the figures as ratios on a noisy machine.
Run: ``.venv/bin/python bench/reports.py`` (``--answers 40000``). Targets: report ≤ 20 s,
workbook ≤ 10 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def best(fn: Callable[[], bytes], repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - start)
    return min(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=30000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="hailong-bench-reports-"))
    os.environ["HAILONG_VAR_DIR"] = str(var)
    os.environ["HAILONG_DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hailong.settings.base")
    os.environ["HAILONG_REPORT_WORKER"] = "external"  # the bench runs the job itself
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from hailong.campaigns.models import CampaignUnit
    from hailong.demo.services import answers_load, campaign_create, structure_load
    from hailong.reports.models import ReportJob
    from hailong.reports.pdf import report_pdf, scorecard_pdf, scorecards_zip
    from hailong.reports.runner import job_claim, job_run
    from hailong.reports.services import job_request
    from hailong.reports.workbook import workbook_xlsx
    from hailong.results.services import campaign_compute
    from hailong.units.models import Unit
    from hailong.units.services import units_import

    call_command("migrate", verbosity=0)
    root = structure_load()
    extra = var / "extra.yaml"
    extra.write_text(
        "".join(
            f"- code: BX{i:02d}\n  name: Xã Thử Nghiệm {i}\n  kind: commune\n" for i in range(19)
        ),
        encoding="utf-8",
    )
    units_import(path=extra, parent=root)
    campaign = campaign_create(root=root)
    scope = set(campaign.scope.values_list("unit_id", flat=True))
    CampaignUnit.objects.bulk_create(
        CampaignUnit(campaign=campaign, unit=u, quota=150)
        for u in Unit.objects.filter(code__startswith="BX").exclude(pk__in=scope)
    )
    answers_load(campaign=campaign, total=args.answers, progress=lambda n: None)
    computation = campaign_compute(campaign=campaign)
    units = computation.rows.filter(grouping="unit", level="overall").count()
    unit = Unit.objects.get(code="BX00")
    answers = f"{computation.n_answers:,}".replace(",", ".")
    print(f"{units} units, {answers} answers")
    base, _ = best(lambda: scorecard_pdf(computation, unit), args.repeat)
    pdf, pdf_size = best(lambda: report_pdf(computation), args.repeat)
    xlsx, xlsx_size = best(lambda: workbook_xlsx(computation), args.repeat)
    zipped, zip_size = best(lambda: scorecards_zip(computation), 1)

    def through_a_job() -> bytes:
        """Queued, claimed and made by the worker, progress written, file saved and renamed."""
        ReportJob.objects.all().delete()
        job_request(campaign=campaign, kind=ReportJob.Kind.REPORT_PDF)
        job = job_run(job_claim(worker="bench"))  # type: ignore[arg-type]
        return b"x" * (job.size or 0)

    queued, _ = best(through_a_job, 1)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        cProfile.runctx("workbook_xlsx(computation)", globals(), locals(), str(var / "prof"))
        pstats.Stats(str(var / "prof")).sort_stats("cumulative").print_stats(18)
    print(f"baseline: one unit's scorecard  {base:6.2f} s")
    print(
        f"report PDF                      {pdf:6.2f} s  ({pdf_size / 1e6:.1f} MB, {pdf / base:.1f}× baseline, target 20 s)"
    )
    print(
        f"workbook XLSX                   {xlsx:6.2f} s  ({xlsx_size / 1e6:.1f} MB, {xlsx / base:.1f}× baseline, target 10 s)"
    )
    print(
        f"report PDF as a job (queue→done) {queued:6.2f} s  ({queued / base:.1f}× baseline, target 20 s)"
    )
    print(
        f"every scorecard (ZIP)           {zipped:6.2f} s  ({zip_size / 1e6:.1f} MB, {zipped / base:.1f}× baseline)"
    )


if __name__ == "__main__":
    main()
