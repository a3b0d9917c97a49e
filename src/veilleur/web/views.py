"""What the API sends: events as the export record, an event's detail, a document cut into highlighted
segments. Everything here is JSON-ready data; nothing is markup. Article text reaches the browser only as
string values, which the page puts into the DOM with ``textContent``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Sequence
from typing import Any

from veilleur.export import event_to_record
from veilleur.model import Document, Event
from veilleur.store.base import DocumentHit, EventPoint, StatRow


def plain(value: Any) -> Any:
    """A dataclass, enum, date or container as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and value != value:  # nan
        return None
    return value


def event_record(event: Event) -> dict[str, Any]:
    return event_to_record(event)


def event_detail(event: Event, documents: dict[str, Document]) -> dict[str, Any]:
    """The export record plus, per source, the article's title and language and why it joined the event
    (when the ledger says), and the event's history (empty when the ledger keeps none)."""
    record = event_to_record(event)
    for source, out in zip(event.sources, record["sources"], strict=True):
        doc = documents.get(source.document_id)
        out["title"] = doc.title if doc else None
        out["language"] = doc.language if doc else None
        merge = getattr(source, "merge", None)
        out["merge"] = plain(merge) if merge is not None else None
    record["date_min"] = event.date.date_min.isoformat() if event.date.date_min else None
    record["date_max"] = event.date.date_max.isoformat() if event.date.date_max else None
    record["date_expression"] = event.date.expression
    record["history"] = [plain(change) for change in getattr(event, "history", None) or []]
    return record


def document_view(doc: Document, events: Sequence[Event]) -> dict[str, Any]:
    """A document with its evidence spans and its text cut at every span boundary.

    ``evidence`` lists every span of every event this document reports, with the event and the claim;
    ``segments`` cover the whole text in order, each with its ``text`` and the indexes of the evidence
    spans covering it, so a page highlights without computing offsets (Python counts code points,
    JavaScript UTF-16 units: they differ on emoji).
    """
    text = doc.text
    evidence: list[dict[str, Any]] = []
    for event in events:
        for source in event.sources:
            if source.document_id != doc.id:
                continue
            for span in source.evidence:
                start, end = max(0, span.start), min(len(text), span.end)
                if start >= end:
                    continue
                evidence.append(
                    {
                        "event_id": event.id,
                        "event_type": event.event_type,
                        "sub_event_type": event.sub_event_type,
                        "event_date": event.date.date.isoformat() if event.date.date else None,
                        "claim": source.claim.value,
                        "reporting_source": source.reporting_source,
                        "start": start,
                        "end": end,
                    }
                )
    cuts = sorted({0, len(text), *(e["start"] for e in evidence), *(e["end"] for e in evidence)})
    segments = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [i for i, e in enumerate(evidence) if e["start"] <= start and end <= e["end"]]
        segments.append({"start": start, "end": end, "text": text[start:end], "evidence": covering})
    return {
        "id": doc.id,
        "title": doc.title,
        "url": doc.url,
        "outlet": doc.outlet,
        "published": doc.published.isoformat() if doc.published else None,
        "language": doc.language,
        "text": text,
        "evidence": evidence,
        "segments": segments,
    }


def hit_view(hit: DocumentHit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "url": hit.url,
        "outlet": hit.outlet,
        "published": hit.published.isoformat() if hit.published else None,
        "language": hit.language,
        "snippet": [{"text": text, "match": match} for text, match in hit.snippet],
    }


def point_row(point: EventPoint) -> list[Any]:
    return [
        point.id,
        round(point.latitude, 6),
        round(point.longitude, 6),
        point.event_type,
        point.date.isoformat() if point.date else None,
        point.fatalities,
    ]


def stat_view(row: StatRow) -> dict[str, Any]:
    return {"key": row.key, "split": row.split, "events": row.events, "fatalities": row.fatalities}
