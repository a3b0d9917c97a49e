"""Shared fixtures: paths to the bundled samples and the shared evaluation data, and the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SAMPLE_INPUTS = (SAMPLES / "articles.jsonl", SAMPLES / "pages")
# ../shared/eval next to the repository: present on the team's machines, absent in a user's clone
# (VEILLEUR_SHARED_EVAL points elsewhere, e.g. from a second worktree)
SHARED_EVAL = Path(os.environ.get("VEILLEUR_SHARED_EVAL") or REPO.parent / "shared" / "eval")

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def _cli_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m veilleur.cli``."""
    script = Path(sys.executable).parent / "veilleur"
    if script.exists():
        return [str(script)]
    found = shutil.which("veilleur")
    if found and Path(found).resolve().parent == Path(sys.executable).resolve().parent:
        return [found]
    return [sys.executable, "-m", "veilleur.cli"]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run the real ``veilleur`` command in a subprocess (cwd: tmp_path, no VEILLEUR_* from outside)."""
    base = [*_cli_command()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLEUR_")}

    def run(
        *args: str | Path, input: str | None = None, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*base, *map(str, args)],
            cwd=tmp_path,
            env={**env, **extra_env},
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=600,
        )

    return run


@pytest.fixture
def shared_eval() -> Path:
    """``../shared/eval`` (the project's yardstick); skipped in a clone that does not have it."""
    if not (SHARED_EVAL / "score.py").is_file():
        pytest.skip(
            f"{SHARED_EVAL} is absent (a user's clone): the evaluation gate runs on the team's machines"
        )
    return SHARED_EVAL
