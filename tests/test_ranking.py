"""Prioritised screening's core: reading a labelled set, the figures, the replayed review and
`metasift simulate`, on the first 200 records of Cohen et al. 2006 (proton pump inhibitors)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from db.errors import MetasiftError
from screening.cli import cli
from screening.ranking.features import FeatureChoice, feature_views, text_features
from screening.ranking.labelled import read_labelled
from screening.ranking.metrics import order_figures, records_to_recall
from screening.ranking.simulation import Schedule, simulate_seed
from screening.ranking.texts import ranking_text
from tests.conftest import FIXTURES

COHEN = FIXTURES / "screening" / "cohen2006_proton_pump_inhibitors_200.csv"
FAST = Schedule(every_label_until=40, growth=0.1)  # fewer retrains: these are not benchmarks


@pytest.fixture(scope="module")
def cohen_ta():  # noqa: ANN201
    data = read_labelled(COHEN, "label_ti_ab")
    return data, feature_views(data.texts, FeatureChoice(chars=0))  # the quick part of them


def test_a_labelled_csv_gives_texts_labels_and_mesh_headings() -> None:
    data = read_labelled(COHEN)
    assert data.label_column == "label_included"
    assert (len(data.labels), sum(data.labels)) == (200, 9)
    first = data.texts[0]
    assert first.title.startswith("Symptomatic gastro-oesophageal reflux disease")
    assert "omeprazole" in first.terms and "ranitidine" in first.terms


def test_headings_are_kept_whole_and_normalised() -> None:
    text = ranking_text("T", None, ["Proton pump"], ["*Omeprazole/therapeutic use", "Humans"])
    assert text.terms == ("humans", "omeprazole", "proton pump")


def test_the_words_are_read_as_their_stems() -> None:
    texts = [ranking_text("Omeprazole trials", None),
             ranking_text("The omeprazole trial", None),
             ranking_text("A cohort of rats", None)]  # fmt: skip
    stemmed = text_features(texts, FeatureChoice(chars=0))
    typed = text_features(texts, FeatureChoice(chars=0, stems=False))
    # "trials" and "trial" are one word, and "omeprazole trial(s)" one pair (cosines)
    assert (stemmed[0] @ stemmed[1].T)[0, 0] > 0.6 and (typed[0] @ typed[1].T)[0, 0] < 0.2
    kept = text_features(texts, FeatureChoice(chars=0, stop_words=True))
    assert kept.shape[1] == 6  # omeprazol, trial, "omeprazol trial", cohort, rat, "cohort rat"


@pytest.mark.parametrize(
    ("content", "label", "message"),
    [
        ("title,abstract\nA,B\n", None, "line 1: no label column 'label_included' or 'included'"),
        ("title,included\nA,1\nB,yes\nC,2\n", None, "line 4: label '2' is not 0 or 1"),
        ("title,included\nA,0\n", None, "no record is labelled 1 in column 'included'"),
        ("doi,included\nx,1\n", None, "line 1: no 'title' or 'abstract' column"),
        ("title,included\nA,1\n", "mine", "line 1: no label column 'mine'"),
    ],
)
def test_a_bad_csv_names_the_file_and_line(tmp_path: Path, content, label, message) -> None:
    path = tmp_path / "set.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MetasiftError, match=message) as raised:
        read_labelled(path, label)
    assert str(raised.value).startswith(str(path))


def test_figures_of_a_known_order() -> None:
    # 10 records, 4 includes: found at positions 1, 2, 5, 9
    found = [1, 1, 0, 0, 1, 0, 0, 0, 1, 0]
    figures = order_figures(found)
    assert records_to_recall(found, 0.5) == 2
    assert (figures.records_to_95, figures.records_to_100) == (9, 9)
    assert figures.recall_at_10pct == 25.0
    # insights' WSS@95 looks at the 3rd include (3/4 <= 0.95): random reading's expected
    # curve, round(linspace(0, 4, 10)), reaches 3 at record 7; this order found it at 5
    assert figures.wss95 == pytest.approx(20.0)


def test_a_replay_is_reproducible_and_beats_reading_in_import_order(cohen_ta) -> None:
    data, features = cohen_ta
    first = simulate_seed(features, data.labels, seed=3, schedule=FAST)
    again = simulate_seed(features, data.labels, seed=3, schedule=FAST)
    other = simulate_seed(features, data.labels, seed=4, schedule=FAST)
    assert first.order == again.order and first.prior_rows == again.prior_rows
    assert other.prior_rows != first.prior_rows
    assert sorted(first.order + first.prior_rows) == list(range(200))
    in_import_order = [data.labels[r] for r in range(200) if r not in first.prior_rows]
    assert first.figures.wss95 > order_figures(in_import_order).wss95 + 10


def test_priors_the_set_cannot_give_are_an_error(cohen_ta) -> None:
    data, features = cohen_ta
    with pytest.raises(MetasiftError, match="asked for 50 prior includes"):
        simulate_seed(features, data.labels, seed=0, priors=(50, 1))


def test_without_priors_records_are_read_at_random_until_both_classes_are_known(cohen_ta) -> None:
    data, features = cohen_ta
    run = simulate_seed(features, data.labels, seed=0, priors=(0, 0))
    assert run.prior_rows == () and sorted(run.order) == list(range(200))
    first_exclude = next(i for i, r in enumerate(run.order) if data.labels[r] == 0)
    first_include = next(i for i, r in enumerate(run.order) if data.labels[r] == 1)
    assert len(run.retrain_seconds) <= 200 - max(first_exclude, first_include)


def test_simulate_prints_json_per_seed_and_mean(tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    small.write_text("".join(COHEN.open(encoding="utf-8").readlines()[:81]), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["simulate", str(small), "--seeds", "2", "--label", "label_ti_ab", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {"wss95", "records_to_95", "records_to_100", "recall_at_10pct", "seeds"} <= set(report)
    assert [s["seed"] for s in report["seeds"]] == [0, 1]
    assert report["wss95"] == pytest.approx(sum(s["wss95"] for s in report["seeds"]) / 2)
    assert all(len(s["prior_rows"]) == 2 for s in report["seeds"])
    assert report["records"] == 80 and report["label"] == "label_ti_ab"


def test_simulate_with_every_include_a_prior_says_none_is_left(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["simulate", str(COHEN), "--prior-includes", "9"])
    assert result.exit_code == 1
    assert f"{COHEN}: the set has 9 includes and 9 are priors: none is left" in result.output


def test_simulate_reports_a_bad_csv_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("title,label_included\nA,1\nB,maybe\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["simulate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}, line 3: label 'maybe' is not 0 or 1" in result.output
    assert "Traceback" not in result.output


def test_records_without_a_word_to_learn_from_are_read_in_random_order(tmp_path: Path) -> None:
    # one-letter titles and blank ones give the vectorisers no term at all
    texts = tmp_path / "no_words.csv"
    rows = [("A", "", 1), ("", "", 0), ("B", "x", 1), ("", "", 0), ("C", "", 0), ("", "", 0)]
    texts.write_text(
        "title,abstract,label_included\n" + "".join(f"{t},{a},{y}\n" for t, a, y in rows),
        encoding="utf-8",
    )
    data = read_labelled(texts, None)
    (matrix,) = feature_views(data.texts)
    assert matrix.shape == (6, 0)
    result = CliRunner().invoke(cli, ["simulate", str(texts), "--seeds", "2", "--json"])
    assert result.exit_code == 0, result.output
    seeds = json.loads(result.output)["seeds"]
    assert all(s["records_to_100"] <= 4 for s in seeds)


def test_simulate_help_does_not_load_scikit_learn() -> None:
    code = (
        "import sys; from screening.cli import main; sys.argv = ['metasift', 'simulate', '-h']\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print('loaded:', *sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "loaded:"
