"""``POST /api/documents``: posted articles go through the same ingest as ``veilleur ingest``.

The documents are written to a temporary JSON Lines file and read by :func:`veilleur.api.ingest`, so the
API accepts exactly what the documents contract accepts, and judges each document on its own: a document
that cannot be read (no text, a bad date, an id that is not a string) or processed is that document's
problem, and the others are stored (HTTP 207). The pipeline (spaCy and the language data) is loaded on the
first request and kept; one ingestion runs at a time.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from veilleur.settings import Settings

_LINE = re.compile(r"^request:(\d+)(?::|$| )")


def _record(doc: Any) -> Any:
    if hasattr(doc, "model_dump"):
        return doc.model_dump(exclude_none=True)
    return doc


def ingest_documents(state: Any, settings: Settings, documents: Sequence[Any]) -> tuple[int, dict[str, Any]]:
    """(HTTP status, the report): 200 when every document was read, 207 when some were not, 422 when none
    was. ``documents``: the posted JSON values (objects of the documents contract, or anything else, which
    is that document's problem)."""
    from veilleur import api

    problems: list[str] = []
    with state.ingest_lock, tempfile.TemporaryDirectory(prefix="veilleur-post-") as tmp:
        path = Path(tmp) / "posted.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for doc in documents:
                try:
                    line = json.dumps(_record(doc), ensure_ascii=False)
                except (TypeError, ValueError, RecursionError):
                    line = '"not JSON"'
                out.write(line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n")
        if state.pipeline is None:
            from veilleur.pipeline import Pipeline

            state.pipeline = Pipeline(settings)
        report = api.ingest(path, settings=settings, pipeline=state.pipeline, on_problem=problems.append)
    name = str(path)
    problem_lines = [p.replace(name, "request") for p in report.problems]
    warning_lines = [w.replace(name, "request") for w in report.warnings]
    results: list[dict[str, Any]] = []
    by_line: dict[int, str] = {}
    warned: dict[int, str] = {}
    for lines, target in ((problem_lines, by_line), (warning_lines, warned)):
        for line in lines:
            match = _LINE.match(line)
            if match:
                target.setdefault(int(match.group(1)), line)
    for number, doc in enumerate(documents, start=1):
        record = _record(doc)
        raw_id = record.get("id") if isinstance(record, dict) else None
        problem = by_line.get(number)
        outcome = report.outcomes.get(f"{name}:{number}")
        results.append(
            {
                "index": number - 1,
                "id": None if raw_id is None else str(raw_id),
                "status": 422 if problem else 200,
                "outcome": outcome or "not read",
                "problem": problem,
                "warning": warned.get(number),
            }
        )
    failed = sum(1 for r in results if r["status"] != 200)
    status = 200 if not failed else 422 if failed == len(results) else 207
    return status, {
        "documents_read": report.documents_read,
        "documents_added": report.documents_added,
        "documents_skipped": report.documents_skipped,
        "events_added": report.events_added,
        "events_joined": report.events_joined,
        "sources_added": report.sources_added,
        "problems": problem_lines,
        "warnings": warning_lines,
        "results": results,
    }
