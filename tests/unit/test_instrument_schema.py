"""The published JSON Schema (docs/instrument.schema.json) agrees with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from hailong.measurement import builtin_instruments

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "instrument.schema.json").read_text()
)


@pytest.mark.parametrize("raw", [raw for _, raw in builtin_instruments()], ids=lambda r: r["code"])
def test_every_builtin_questionnaire_follows_the_published_schema(raw: dict[str, object]) -> None:
    jsonschema.validate(raw, SCHEMA)


def test_the_schema_refuses_a_float_weight_as_the_loader_does() -> None:
    raw = dict(next(r for i, r in builtin_instruments() if i.code == "skm-indonesia"))
    raw["aggregation"] = {**raw["aggregation"], "weights": {"U1": 0.11}}  # type: ignore[dict-item]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, SCHEMA)
