"""`metasift demo`: the example review from the bundled records, offline, never over a review."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import screening.cli.demo as demo_cli
from screening.cli import cli


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo never touches the network: any connection attempt fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("metasift demo opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the demo's default folder is made in the current one


def demo(tmp_path: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["demo", *args]), tmp_path


def test_no_tui_builds_the_review_in_a_new_folder_and_says_each_step(tmp_path: Path) -> None:
    result, here = demo(tmp_path, "--no-tui")
    assert result.exit_code == 0, result.output
    folder = here / "metasift-demo"
    assert (folder / "review.db").exists() and (folder / "review.toml").exists()
    assert sorted(p.name for p in (folder / "searches").iterdir()) == [
        "LICENSE", "SOURCES.md", "blue-light.nbib", "blue-light_endnote.ris",
    ]  # fmt: skip
    out = result.stdout
    assert "Imported blue-light.nbib: 80 records from PubMed" in out
    assert "Imported blue-light_endnote.ris: 102 records" in out
    assert "182 records, 80 clusters of duplicates found, 102 records left to screen" in out


def test_a_second_run_takes_a_new_folder_and_a_named_review_is_never_overwritten(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--no-tui"]).exit_code == 0
    assert runner.invoke(cli, ["demo", "--no-tui"]).exit_code == 0
    assert (tmp_path / "metasift-demo-2" / "review.db").exists()
    before = (tmp_path / "metasift-demo" / "review.db").stat().st_mtime_ns
    refused = runner.invoke(cli, ["demo", "metasift-demo", "--no-tui"])
    assert refused.exit_code == 1
    assert "a review is already here; the demo never overwrites one" in refused.stderr
    assert (tmp_path / "metasift-demo" / "review.db").stat().st_mtime_ns == before


def test_without_a_terminal_the_screen_stays_closed(tmp_path: Path) -> None:
    result, _ = demo(tmp_path, "blue")
    assert result.exit_code == 0
    assert "No terminal here, so the screen stays closed." in result.stderr


def test_on_a_terminal_it_opens_the_screening_screen_as_ana(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []
    monkeypatch.setattr(demo_cli, "has_terminal", lambda: True)
    # the screen the app mounts first, made while the review is open, as run_app would
    monkeypatch.setattr(demo_cli, "run_app", lambda app: opened.append(app._first_screen()))
    result, _ = demo(tmp_path, "blue")
    assert result.exit_code == 0, result.output
    [screen] = opened
    assert screen.session.reviewer == "ana" and screen.session.stage == "title-abstract"


def test_full_plays_the_path_and_marks_illustrative_values(tmp_path: Path) -> None:
    result, _ = demo(tmp_path, "blue", "--full")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "title-abstract: cleo resolved 4 conflicts" in out
    assert "full-text: cleo resolved 2 conflicts" in out
    assert "4 of 16 means quoted from the abstracts" in out
    assert "ILLUSTRATIVE numbers made up for the demo" in out
    assert "demo answers from the abstracts: not assessments of these papers" in out
    assert "Test for subgroup differences" in out
    assert "Ash 2015 \u2020" in out, "the forest rows of made-up values carry a dagger"
    assert "\u2020 Illustrative values (made up, not from a report) in Ash 2015" in out
    assert "SD imputed" not in out, "made-up SDs are illustrative, not a reviewer's imputation"
    assert "Studies included in review: 5" in out
