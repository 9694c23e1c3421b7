"""Writes: the open data files of a published computation, made once and kept in ``var/``.

A published computation never changes, so each file is written on first request (to a
temporary name, then renamed, so that a reader never sees half a file) and served as is
afterwards. ``hailong opendata`` makes them ahead of time.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import zipfile
from pathlib import Path

from django.conf import settings

from hailong.results.models import Computation

from . import writers
from .columns import INDEX_COLUMNS
from .datasets import AnswerPlan, answer_plan, answer_rows, dictionary, index_rows, metadata

INDEX = "chi-so"
ANSWERS = "tra-loi"
DICTIONARY = "tu-dien"
EVERYTHING = "tat-ca"
FORMATS: dict[str, tuple[str, ...]] = {
    INDEX: ("csv", "xlsx", "parquet", "json"),
    ANSWERS: ("csv", "xlsx", "parquet", "jsonl"),
    DICTIONARY: ("json",),
    EVERYTHING: ("zip",),
}
_lock = threading.RLock()  # re-entered by the ZIP, which asks for the other files


class NoAnswers(LookupError):
    """The campaign has no accepted answer to release."""


def folder(computation: Computation) -> Path:
    base = Path(getattr(settings, "HAILONG_OPEN_DATA_DIR", Path(settings.VAR_DIR) / "opendata"))
    return base / f"{computation.pk}-{computation.digest[:12]}"


def file_name(computation: Computation, dataset: str, extension: str) -> str:
    return f"{computation.campaign.code}-{dataset}.{extension}"


def _write(computation: Computation, dataset: str, extension: str, path: Path) -> None:
    plan: AnswerPlan | None = None
    if dataset in (ANSWERS, DICTIONARY):
        plan = answer_plan(computation)
    if dataset == INDEX:
        rows = index_rows(computation)
        if extension == "csv":
            writers.write_csv(path, INDEX_COLUMNS, rows)
        elif extension == "xlsx":
            writers.write_xlsx(path, INDEX_COLUMNS, rows, sheet="Chỉ số")
        elif extension == "parquet":
            writers.write_parquet(path, INDEX_COLUMNS, rows)
        else:
            with path.open("wb") as out:
                writers.write_json_document(out, metadata(computation), INDEX_COLUMNS, rows)
    elif dataset == ANSWERS and plan is not None:
        if plan.n_answers == 0:
            raise NoAnswers(computation.campaign.code)
        columns = plan.columns()
        write = {
            "csv": writers.write_csv,
            "parquet": writers.write_parquet,
            "jsonl": writers.write_jsonl,
        }.get(extension)
        if write is not None:
            write(path, columns, answer_rows(plan))
        else:
            writers.write_xlsx(path, columns, answer_rows(plan), sheet="Câu trả lời")
    elif dataset == DICTIONARY and plan is not None:
        document = metadata(computation) | dictionary(computation, plan)
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, extensions in FORMATS.items():
                if name == EVERYTHING or (name == ANSWERS and computation.n_answers == 0):
                    continue
                for ext in extensions:
                    try:
                        part = opendata_file(computation=computation, dataset=name, extension=ext)
                    except NoAnswers:
                        continue
                    archive.write(part, arcname=file_name(computation, name, ext))


def opendata_file(*, computation: Computation, dataset: str, extension: str) -> Path:
    """The file of a published computation, written now if it does not exist yet."""
    if computation.published_at is None:
        raise ValueError("only published computations are open data")
    if extension not in FORMATS.get(dataset, ()):
        raise ValueError(f"unknown open data file {dataset}.{extension}")
    target = folder(computation) / file_name(computation, dataset, extension)
    if target.exists():
        return target
    with _lock:  # one writer per process; another process may write the same file: rename wins
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
        os.close(fd)
        try:
            _write(computation, dataset, extension, Path(temporary))
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    return target


def opendata_build(*, computation: Computation) -> list[Path]:
    """Every file of a published computation (the ``hailong opendata`` command)."""
    made = []
    for dataset, extensions in FORMATS.items():
        for extension in extensions:
            try:
                made.append(
                    opendata_file(computation=computation, dataset=dataset, extension=extension)
                )
            except NoAnswers:
                continue
    return made
