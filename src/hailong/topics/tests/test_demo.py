"""`hailong compute` keeps the comments in step; the demo's answers carry comments to read."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.test import Client

from hailong.collection.models import Response
from hailong.demo.services import answers_load, campaign_create, structure_load
from hailong.results.services import campaign_compute, campaign_publish
from hailong.topics.models import Comment
from hailong.topics.selectors import tone_counts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def store(settings: Any, tmp_path: Path) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    settings.HAILONG_OPEN_DATA_DIR = tmp_path / "opendata"


def test_compute_tags_every_comment_of_the_demo() -> None:
    campaign = campaign_create(root=structure_load())
    answers_load(campaign=campaign, total=400, progress=lambda n: None)
    written = [
        r.answers["y_kien"]
        for r in Response.objects.filter(campaign=campaign)
        if str(r.answers.get("y_kien", "")).strip()
    ]
    assert len(written) > 30  # about one answer in six has a comment
    campaign_compute(campaign=campaign)
    assert Comment.objects.filter(campaign=campaign).count() == len(written)
    tones = tone_counts(Comment.objects.filter(campaign=campaign))
    assert tones.get("complaint", 0) and tones.get("praise", 0) and tones.get("suggestion", 0)
    assert Comment.objects.filter(campaign=campaign, f_other=False).count() > len(written) / 2


def _readable(content: bytes) -> str:
    """The text inside a download, whatever its format (XLSX and Parquet are compressed)."""
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if content.startswith(b"PAR1"):
        return str(pq.read_table(io.BytesIO(content)).to_pylist())
    return content.decode("utf-8", "replace")


def test_nothing_public_shows_a_comment(client: Client) -> None:
    """Open data drops free text, masked or not; no portal page prints a comment."""
    campaign = campaign_create(root=structure_load())
    campaign.min_answers = 5
    campaign.save()
    answers_load(campaign=campaign, total=300, progress=lambda n: None)
    marked = Response.objects.filter(campaign=campaign, review="accepted").first()
    assert marked is not None
    secret = "Chị Đặng Thu Phương gọi 0912 345 678 vì hồ sơ xanh lam"
    marked.answers["y_kien"] = secret
    marked.save()
    campaign_compute(campaign=campaign)
    campaign_publish(campaign=campaign)
    shown = Comment.objects.get(response=marked).text
    assert "[số điện thoại]" in shown
    pages = ["/", "/don-vi/", "/ket-qua/", "/du-lieu-mo/", f"/ket-qua/{marked.unit.code}/"]
    index = client.get("/du-lieu-mo/").content.decode()
    downloads = sorted(set(re.findall(r'href="(/du-lieu-mo/[^"]+)"', index)))
    assert any("tra-loi" in d for d in downloads)
    for url in pages + downloads:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = _readable(body)
        for needle in ("xanh lam", "Đặng Thu Phương", "0912 345 678", shown):
            assert needle not in text, (url, needle)
