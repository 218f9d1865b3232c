"""Extracted values follow their study: entered under each report while it was its own study,
they are read under the study both reports now form once a reviewer links them."""

from __future__ import annotations

from pathlib import Path

from extraction.values.cells import Cell
from extraction.values.ledger import reviewer_values, set_value
from extraction.values.worksheet import Worksheet
from screening.cli.extraction_review import open_for_extraction
from screening.review import load_review
from tests.studies_support import new_review, run, send_to_full_text

FORM = '\n[extraction.fields]\ncountry = { label = "Country" }\nsize = { type = "integer" }\n'


def two_studies_with_values(tmp_path: Path, second_country: str | None = None) -> Path:
    """Two included reports, each its own study: ana gave the first a country and the second
    a size (and, if given, a country of its own)."""
    path = new_review(tmp_path)
    toml = path.with_name("review.toml")
    toml.write_text(toml.read_text(encoding="utf-8") + FORM, encoding="utf-8")
    send_to_full_text(path, {1: "include", 2: "include"})
    with open_for_extraction(str(path), "ana", "screener") as review:
        first, second = review.included_studies()
        set_value(review.db, review.form, "ana", Cell.study_field(first.uuid, "country"), "US")
        set_value(review.db, review.form, "ana", Cell.study_field(second.uuid, "size"), 120)
        if second_country:
            country = Cell.study_field(second.uuid, "country")
            set_value(review.db, review.form, "ana", country, second_country)
    return path


def test_values_entered_before_reports_were_linked_follow_the_study(tmp_path: Path) -> None:
    path = two_studies_with_values(tmp_path, "USA")
    linked = run(path, "studies", "link", "2", "--to", "1", "--reviewer", "ana")
    assert linked.exit_code == 0, linked.output
    # both gave a country, and not the same: the link says one is now hidden (size: no clash)
    assert "hold different values for 1 cell; in each, the later value" in linked.stderr
    with open_for_extraction(str(path), "ana", "screener") as review:
        (study,) = review.included_studies()
        held = {v.cell.field: v.value for v in reviewer_values(review.db, "ana", study.uuid)}
        sheet = Worksheet(review.db, review.form, "ana", study.uuid)
        look = sheet.second_look()
    assert held == {"country": "USA", "size": 120}  # the later country is in force
    assert look is not None and look.startswith("2 value(s) entered before")
    with load_review(path) as main:
        entered = main.db.execute("SELECT DISTINCT study_uuid FROM extraction_values").fetchall()
    assert len(entered) == 2  # nothing was rewritten: the events keep what they were entered under


def test_a_risk_of_bias_answer_follows_its_study_and_asks_a_second_look(tmp_path: Path) -> None:
    from db.rob_answers import answers_entered_under_another_study, answers_in_force
    from extraction.rob.instrument import builtin_instruments
    from extraction.rob.ledger import Target, answer

    path = new_review(tmp_path)
    send_to_full_text(path, {1: "include", 2: "include"})
    rob2 = builtin_instruments()["rob2"]
    with open_for_extraction(str(path), "ana", "screener") as review:
        _, second = review.included_studies()
        answer(review.db, Target(rob2, second.uuid, "", "ana"), "D1", "1.1", "Y")
    assert run(path, "studies", "link", "2", "--to", "1", "--reviewer", "ana").exit_code == 0
    with open_for_extraction(str(path), "ana", "screener") as review:
        (study,) = review.included_studies()
        held = answers_in_force(review.db, study_uuid=study.uuid)
        assert [(r["question"], r["answer"]) for r in held] == [("1.1", "Y")]
        assert answers_entered_under_another_study(review.db, study.uuid) == 1


def sheet_after(path: Path, name: str) -> str:
    """ana's extraction sheet (its studies CSV), written by `export sheet` as a user runs it."""
    out = path.with_name(f"{name}.csv")
    result = run(path, "export", "sheet", "--reviewer", "ana", "--mine", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out.with_name(f"{name}-studies.csv").read_text(encoding="utf-8")


def test_the_first_read_after_a_link_or_unlink_is_already_settled(tmp_path: Path) -> None:
    path = two_studies_with_values(tmp_path)
    assert run(path, "studies", "link", "2", "--to", "1", "--reviewer", "ana").exit_code == 0
    linked = [sheet_after(path, f"linked{i}") for i in range(2)]
    assert linked[0] == linked[1]  # no command brings the study's aliases up to date late
    assert len(linked[0].splitlines()) == 2  # a header and the one study, holding both values
    assert "US" in linked[0] and "120" in linked[0]
    assert run(path, "studies", "unlink", "2", "--reviewer", "ana").exit_code == 0
    unlinked = [sheet_after(path, f"unlinked{i}") for i in range(2)]
    assert unlinked[0] == unlinked[1]
    assert len(unlinked[0].splitlines()) == 3
