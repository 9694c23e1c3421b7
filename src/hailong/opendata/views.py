"""Public open data pages under /du-lieu-mo/: they read, never change anything."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_safe

from hailong.core.downloads import attachment

from .columns import INDEX_COLUMNS
from .datasets import answer_plan, dictionary
from .selectors import computation_public, published_computations
from .services import ANSWERS, FORMATS, INDEX, NoAnswers, file_name, folder, opendata_file

LABELS = {
    "csv": "CSV",
    "xlsx": "Excel (XLSX)",
    "parquet": "Parquet",
    "json": "JSON",
    "jsonl": "JSON Lines",
    "zip": "ZIP",
}


def _missing(request: HttpRequest, message: str, **params: str) -> HttpResponse:
    """A 404 page saying what is missing, in Vietnamese and in English."""
    texts = {}
    for language in ("vi", "en"):
        with translation.override(language):
            texts[language] = _(message) % params
    return render(request, "opendata/missing.html", {"texts": texts}, status=404)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    entries = []
    for computation in published_computations():
        files = []
        for dataset, extensions in FORMATS.items():
            if dataset == ANSWERS and computation.n_answers == 0:
                continue
            for extension in extensions:
                path = folder(computation) / file_name(computation, dataset, extension)
                files.append(
                    {
                        "dataset": dataset,
                        "extension": extension,
                        "label": LABELS[extension],
                        "size": path.stat().st_size if path.exists() else None,
                    }
                )
        entries.append({"computation": computation, "files": files})
    return render(
        request,
        "opendata/index.html",
        {"entries": entries, "licence": settings.HAILONG_OPEN_DATA_LICENCE},
    )


@require_safe
def data_dictionary(request: HttpRequest, campaign: str) -> HttpResponse:
    computation = computation_public(campaign_code=campaign)
    if computation is None:
        return _missing(request, gettext_noop("This campaign has no published results."))
    plan = answer_plan(computation)
    document = dictionary(computation, plan)
    return render(
        request,
        "opendata/dictionary.html",
        {
            "computation": computation,
            "document": document,
            "index_columns": [c.as_dict() for c in INDEX_COLUMNS],
            "dataset_index": INDEX,
        },
    )


@require_safe
def download(request: HttpRequest, campaign: str, dataset: str, extension: str) -> HttpResponseBase:
    computation = computation_public(campaign_code=campaign)
    if computation is None:
        return _missing(request, gettext_noop("This campaign has no published results."))
    if extension not in FORMATS.get(dataset, ()):
        return _missing(
            request, gettext_noop("There is no such file: %(name)s."), name=f"{dataset}.{extension}"
        )
    try:
        path = opendata_file(computation=computation, dataset=dataset, extension=extension)
    except NoAnswers:
        return _missing(request, gettext_noop("This campaign has no accepted answers to download."))
    return attachment(FileResponse(path.open("rb")), file_name(computation, dataset, extension))
