"""`metasift convert` as a user types it: figures, JSON keys, and refusals naming the option."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from screening.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, ["convert", *args])


def test_five_numbers_give_luo_and_shi():
    got = run("--from", "median-iqr-range", "--n", "40", "--median", "31.5", "--q1", "28.1",
              "--q3", "36.2", "--min", "20", "--max", "45")  # fmt: skip
    assert got.exit_code == 0, got.output
    assert "mean  32.014977" in got.output and "SD    5.965250" in got.output
    assert "Shi et al. 2020" in got.output


def test_json_keys_and_the_handbook_divisor():
    got = run("--from", "mean-ci", "--n", "25", "--ci-low", "30.1", "--ci-high", "34.7",
              "--divisor", "3.92", "--json")  # fmt: skip
    answer = json.loads(got.output)
    assert {"mean", "sd", "method"} <= answer.keys()
    assert answer["sd"] == pytest.approx(5.86734693877551, abs=1e-9)
    assert "CI width / d, d = 3.92 (given)" in answer["method"]


def test_a_small_groups_divisor_is_written_as_a_divisor():
    """The method text ends up in the sheets' method column: it read 'CI width / 2 x t(...)
    = 4.13', as if multiplied by t."""
    got = run("--from", "mean-ci", "--n", "25", "--mean", "32.4", "--ci-low", "30.1",
              "--ci-high", "34.7", "--json")  # fmt: skip
    answer = json.loads(got.output)
    assert answer["sd"] == pytest.approx(5 * 4.6 / 4.127797, abs=1e-5)
    assert answer["method"].startswith(
        "SD = sqrt(n) x CI width / d, d = 2 x t(0.975, 24 df) = 4.127797"
    )


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--from", "median-iqr", "--n", "9", "--median", "2", "--q1", "3", "--q3", "6"), "--q1"),
        (("--from", "mean-ci", "--n", "30", "--ci-low", "5", "--ci-high", "4"), "--ci-low"),
        (("--from", "mean-se", "--n", "1", "--mean", "3", "--se", "1"), "--n"),
        (("--from", "mean-se", "--n", "10", "--mean", "3", "--se", "-1"), "--se"),
    ],
)  # fmt: skip
def test_impossible_input_is_exit_1_naming_the_option(args, option):
    got = run(*args)
    assert got.exit_code == 1
    assert got.output.startswith(f"Error: {option}:") and "Traceback" not in got.output


def test_missing_or_unused_options_are_usage_errors():
    missing = run("--from", "median-iqr", "--n", "40", "--median", "25", "--q1", "2")
    assert missing.exit_code == 2 and "needs --q3" in missing.output
    unused = run("--from", "mean-se", "--n", "9", "--mean", "3", "--se", "1", "--q1", "2")
    assert unused.exit_code == 2 and "does not use --q1" in unused.output
    ci = ("--from", "mean-ci", "--n", "25", "--ci-low", "30.1", "--ci-high", "34.7")
    both = run(*ci, "--divisor", "3.92", "--level", "0.9")  # one would be ignored
    assert both.exit_code == 2 and "give one or the other" in both.output


def test_huge_n_is_exit_1_naming_the_option():
    got = run("--from", "median-range", "--n", "99999999999999999999999", "--median", "31.5",
              "--min", "20", "--max", "45")  # fmt: skip
    assert got.exit_code == 1 and got.stdout == ""
    assert got.stderr.startswith("Error: --n: n must be at most 9007199254740992 (2^53")
    assert got.stderr.count("\n") == 1
