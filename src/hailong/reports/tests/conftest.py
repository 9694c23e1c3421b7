"""A computed demo campaign: Thanh Hóa's units with 3,000 answers, some units under the minimum."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hailong.campaigns.models import Campaign
from hailong.demo.services import answers_load, campaign_create, structure_load
from hailong.results.models import Computation
from hailong.results.services import campaign_compute


@pytest.fixture(autouse=True)
def store(settings: Any, tmp_path: Path) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    settings.HAILONG_VAR_DIR = tmp_path
    settings.HAILONG_REPORTS_DIR = tmp_path / "reports"
    settings.HAILONG_REPORT_WORKER = "external"  # tests run the worker themselves


@pytest.fixture
def campaign() -> Campaign:
    campaign = campaign_create(root=structure_load())
    campaign.min_answers = 15
    campaign.save()
    return campaign


@pytest.fixture
def computation(campaign: Campaign) -> Computation:
    answers_load(campaign=campaign, total=3000, progress=lambda n: None)
    return campaign_compute(campaign=campaign)
