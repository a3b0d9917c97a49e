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

SHARED_GAZETTEER = SHARED_EVAL.parent / "gazetteer" / "raw"
#: The GeoNames files the tests import into their gazetteer, as an analyst following these countries would
#: (``veilleur gazetteer import``): they are read from ../shared at test time, never committed.
GEONAMES_TEST_FILES = (
    "ML.txt", "NE.txt", "BF.txt", "KE.txt", "CM.txt", "LB.txt", "admin1CodesASCII.txt", "admin2Codes.txt",
)  # fmt: skip

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def pytest_configure(config: pytest.Config) -> None:
    """On the team's machines, the tests' gazetteer has the shared GeoNames dumps imported, in a cache folder
    of its own (kept between runs, so its index is built once); in a user's clone the tests use the
    bundled gazetteer alone, and the tests that need villages say so when they skip."""
    if os.environ.get("VEILLEUR_CACHE") or not all((SHARED_GAZETTEER / f).is_file() for f in GEONAMES_TEST_FILES):
        return
    from veilleur.geo import sources

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cache = base / "veilleur-tests-geonames"
    sources.import_files(cache, [SHARED_GAZETTEER / f for f in GEONAMES_TEST_FILES])
    os.environ["VEILLEUR_CACHE"] = str(cache)


def villages_imported() -> bool:
    """Whether this test run's gazetteer has the shared GeoNames dumps (see pytest_configure)."""
    from veilleur.geo import sources

    cache = os.environ.get("VEILLEUR_CACHE")
    return bool(cache) and "ML.txt" in sources.manifest(Path(cache))


@pytest.fixture
def villages() -> None:
    """Skip unless the gazetteer has the GeoNames village dumps imported (the team's machines)."""
    if not villages_imported():
        pytest.skip(f"needs GeoNames village dumps imported into the gazetteer ({SHARED_GAZETTEER} is absent)")


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
    # the gazetteer's cache folder is kept: it holds the index and the imported GeoNames files
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLEUR_") or k == "VEILLEUR_CACHE"}

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
