"""The documentation keeps up with the code: every CLI command, option and setting is documented, the
README's commands exist and are what CI runs, and its local links resolve."""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from veilleur import cli
from veilleur.settings import Settings

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SOURCES_WITH_ENV = ("src/veilleur/settings.py", "src/veilleur/cli.py")


def readme() -> str:
    return README.read_text(encoding="utf-8")


def all_docs() -> str:
    parts = [readme()]
    docs = REPO / "docs"
    if docs.is_dir():
        parts += [p.read_text(encoding="utf-8") for p in sorted(docs.rglob("*.md"))]
    return "\n".join(parts)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def options(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        for flag in action.option_strings:
            yield flag, action


def mentioned(token: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text) is not None


def command_lines(text: str) -> list[str]:
    """Lines of the README that run the CLI (in code blocks or inline code)."""
    return [line for line in text.splitlines() if re.search(r"(^|[\s`/])veilleur\s", line)]


PARSER = cli.build_parser()
COMMANDS = subcommands(PARSER)


def test_the_parser_has_the_commands_the_brief_names() -> None:
    assert set(COMMANDS) == {"ingest", "events", "export", "eval", "sources", "serve", "report", "places", "gazetteer"}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_subcommand_is_documented_with_an_example(command: str) -> None:
    lines = command_lines(readme())
    assert any(re.search(rf"\bveilleur\b.*\s{command}(\s|$|`)", line) for line in lines), (
        f"README.md shows no 'veilleur ... {command}' command line"
    )


@pytest.mark.parametrize(
    ("command", "flag"),
    [("", flag) for flag, _ in options(PARSER)]
    + [(name, flag) for name, sub in sorted(COMMANDS.items()) for flag, _ in options(sub)],
)
def test_every_option_is_documented(command: str, flag: str) -> None:
    assert mentioned(flag, readme()), f"README.md does not document '{flag}' of 'veilleur {command}'".replace(
        "  ", " "
    )


@pytest.mark.parametrize(
    "choice",
    sorted(
        {
            str(choice)
            for sub in COMMANDS.values()
            for _, action in options(sub)
            for choice in (action.choices or [])
        }
    ),
)
def test_every_option_value_is_documented(choice: str) -> None:
    assert mentioned(choice, readme()), f"README.md does not mention the option value '{choice}'"


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Settings)])
def test_every_setting_is_documented(field: str) -> None:
    assert f"`{field}`" in all_docs(), f"Settings.{field} is documented neither in README.md nor in docs/"


def _env_vars() -> list[str]:
    found: set[str] = set()
    for rel in SOURCES_WITH_ENV:
        found.update(re.findall(r"VEILLEUR_[A-Z0-9_]+", (REPO / rel).read_text(encoding="utf-8")))
    return sorted(found)


@pytest.mark.parametrize("name", _env_vars())
def test_every_environment_variable_is_documented(name: str) -> None:
    assert mentioned(name, all_docs()), f"{name} is read by the code but not documented"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in ci
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert commands == ["./scripts/test.sh"]
    assert re.search(r"^\./scripts/test\.sh$", readme(), re.MULTILINE), (
        "README.md must show ./scripts/test.sh"
    )


@pytest.mark.parametrize("script", [".ci/run", "scripts/test.sh", "scripts/run_sample.sh"])
def test_scripts_exist_and_are_executable(script: str) -> None:
    path = REPO / script
    assert path.is_file() and os.access(path, os.X_OK), f"{script} is missing or not executable"


def test_readme_shows_the_sample_command() -> None:
    assert re.search(r"^\./scripts/run_sample\.sh$", readme(), re.MULTILINE)


def test_readme_carries_the_geonames_attribution() -> None:
    assert "Contains data from GeoNames (https://www.geonames.org/), licensed under CC BY 4.0." in readme()


def test_readme_local_links_resolve() -> None:
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme()):
        if re.match(r"^[a-z]+:", target):
            continue
        assert (REPO / target).exists(), f"README.md links to {target}, which does not exist"


def test_samples_are_labelled_fictional() -> None:
    text = (REPO / "samples" / "README.md").read_text(encoding="utf-8")
    assert "fictional" in text.lower()
