"""The claim set: short French reports written for this project (modelled on wire-copy wording, copied from no
article), each hand-coded with the claim status of its incident: claimed, denied, hedged or plainly reported.
The pipeline must give the incident that status, and name the claimant or the denier on the source."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from veilleur.model import Claim, Document, Event
from veilleur.pipeline import Pipeline
from veilleur.settings import Settings

CLAIM_SET = Path(__file__).parent / "fixtures" / "claims" / "fr_claims.jsonl"
STATEMENTS = ("claimed", "denied", "hedged")


def _items() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CLAIM_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def _status(events: list[Event]) -> tuple[str, str | None]:
    """The claim status the pipeline gives the report's incident ("none" when it found no incident)."""
    if not events:
        return "none", None
    stated = [e.sources[0] for e in events if e.sources[0].claim is not Claim.REPORTED]
    source = stated[0] if stated else events[0].sources[0]
    return source.claim.value, source.reporting_source


def score_claims(pipeline: Pipeline) -> dict[str, Any]:
    items = _items()
    docs = [
        Document(id=str(it["id"]), text=str(it["text"]), language="fr", published=dt.date(2023, 3, 12)) for it in items
    ]
    predicted = {d.id: _status(events) for d, events in pipeline.process(docs)}
    per_class: dict[str, dict[str, float]] = {}
    tp_all = pred_all = gold_all = 0
    named = named_total = 0
    for cls in STATEMENTS:
        tp = sum(1 for it in items if it["claim"] == cls and predicted[str(it["id"])][0] == cls)
        n_pred = sum(1 for it in items if predicted[str(it["id"])][0] == cls)
        n_gold = sum(1 for it in items if it["claim"] == cls)
        per_class[cls] = {
            "tp": tp,
            "predicted": n_pred,
            "gold": n_gold,
            "precision": round(tp / n_pred, 3) if n_pred else 0.0,
            "recall": round(tp / n_gold, 3) if n_gold else 0.0,
        }
        tp_all, pred_all, gold_all = tp_all + tp, pred_all + n_pred, gold_all + n_gold
    for it in items:
        status, who = predicted[str(it["id"])]
        if it["by"] and status == it["claim"]:
            named_total += 1
            named += int(any(str(b).lower() in (who or "").lower() for b in it["by"]))
    found = sum(1 for it in items if predicted[str(it["id"])][0] != "none")
    return {
        "per_class": per_class,
        "precision": round(tp_all / pred_all, 3) if pred_all else 0.0,
        "recall": round(tp_all / gold_all, 3) if gold_all else 0.0,
        "named": f"{named}/{named_total}",
        "incidents_found": f"{found}/{len(items)}",
        "predicted": predicted,
    }


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return score_claims(Pipeline(Settings()))


def test_the_claim_set_is_big_enough_and_covers_every_class() -> None:
    items = _items()
    assert len(items) >= 40
    assert {it["claim"] for it in items} == {*STATEMENTS, "reported"}


def test_claims_denials_and_hedges_are_read(result: dict[str, Any]) -> None:
    assert result["precision"] >= 0.90, result
    assert result["recall"] >= 0.80, result


def test_the_claimant_and_the_denier_are_named(result: dict[str, Any]) -> None:
    named, total = (int(x) for x in str(result["named"]).split("/"))
    assert total and named / total >= 0.8, result


def test_the_erbil_sample_gets_its_claim_and_its_denial() -> None:
    """The bundled sample written to show both: a group claims the drone strike, another denies any part in it."""
    samples = Path(__file__).resolve().parents[1] / "samples" / "articles.jsonl"
    record = next(r for r in map(json.loads, samples.read_text(encoding="utf-8").splitlines()) if "erbil" in r["id"])
    doc = Document(
        id=record["id"], text=record["text"], language="fr", published=dt.date.fromisoformat(record["published"])
    )
    ((_, events),) = list(Pipeline(Settings()).process([doc]))
    assert len(events) == 1
    source = events[0].sources[0]
    assert source.claim is Claim.CLAIMED
    assert source.reporting_source is not None
    assert "Résistance islamique" in source.reporting_source
    assert "denied by" in source.reporting_source and "Hezbollah" in source.reporting_source
    assert events[0].actor1 is not None and events[0].actor1.name == "Islamic Resistance in Iraq"


if __name__ == "__main__":  # print the per-class figures and every disagreement
    res = score_claims(Pipeline(Settings()))
    gold = {str(it["id"]): it for it in _items()}
    for key, (status, who) in res.pop("predicted").items():
        if status != gold[key]["claim"]:
            print(f"{key}: gold {gold[key]['claim']}, got {status} (by {who}): {gold[key]['text']}")
    print(json.dumps(res, indent=1))
