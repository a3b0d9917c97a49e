"""``POST /api/documents``: posted articles go through the same ingest as ``veilleur ingest``.

The documents are written to a temporary JSON Lines file and read by :func:`veilleur.api.ingest`, so the
API accepts exactly what the documents contract accepts. The pipeline (spaCy and the language data) is
loaded on the first request and kept; one ingestion runs at a time.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from veilleur.settings import Settings
from veilleur.web.models import DocumentIn


def ingest_documents(state: Any, settings: Settings, documents: Sequence[DocumentIn]) -> dict[str, Any]:
    from veilleur import api

    problems: list[str] = []
    with state.ingest_lock, tempfile.TemporaryDirectory(prefix="veilleur-post-") as tmp:
        path = Path(tmp) / "posted.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for doc in documents:
                out.write(json.dumps(doc.model_dump(exclude_none=True), ensure_ascii=False) + "\n")
        if state.pipeline is None:
            from veilleur.pipeline import Pipeline

            state.pipeline = Pipeline(settings)
        report = api.ingest(path, settings=settings, pipeline=state.pipeline, on_problem=problems.append)
    return {
        "documents_read": report.documents_read,
        "documents_added": report.documents_added,
        "documents_skipped": report.documents_skipped,
        "events_added": report.events_added,
        "sources_added": report.sources_added,
        "problems": [p.replace(str(path), "request") for p in report.problems],
    }
