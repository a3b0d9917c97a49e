"""The seed articles through the real command: a folder with bad inputs beside them, and ingesting twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import RunCli


def _event_count(run_cli: RunCli, db: Path) -> int:
    out = run_cli("--db", db, "export", "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    return len([line for line in out.stdout.splitlines() if line.strip()])


def test_seed_folder_with_bad_inputs(run_cli: RunCli, shared_eval: Path, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for seed in sorted((shared_eval / "seeds").glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    (folder / "scan.txt").write_bytes(b"%PDF-1.4\x00\x01\x02 binary \x00\xff")
    (folder / "vide.txt").write_text("", encoding="utf-8")
    records = [json.loads(line) for line in (shared_eval / "seeds_docs.jsonl").read_text("utf-8").splitlines()]
    lines = [json.dumps(dict(records[0], id="extra-1")), '{"id": "broken", "text": ', json.dumps(
        dict(records[1], id="extra-2"))]
    (folder / "lot.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    db = tmp_path / "ledger.db"
    result = run_cli("--db", db, "ingest", folder, "--published", "2022-01-05", "--no-progress")
    assert result.returncode == 1, result.stderr  # some inputs failed, the rest is stored
    problems = [line for line in result.stderr.splitlines() if "[V1" in line]
    assert len(problems) == 3, result.stderr
    assert any("scan.txt" in p for p in problems)
    assert any("vide.txt" in p for p in problems)
    assert any("lot.jsonl:2" in p for p in problems)
    assert _event_count(run_cli, db) >= 8


def test_ingesting_the_seeds_twice_changes_nothing(run_cli: RunCli, shared_eval: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    docs = shared_eval / "seeds_docs.jsonl"
    first = run_cli("--db", db, "ingest", docs, "--no-progress")
    assert first.returncode == 0, first.stderr
    count = _event_count(run_cli, db)
    assert count >= 8
    again = run_cli("--db", db, "ingest", docs, "--no-progress")
    assert again.returncode == 0, again.stderr
    assert _event_count(run_cli, db) == count
