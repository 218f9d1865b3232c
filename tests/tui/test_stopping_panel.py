"""The stopping panel in the screening screen: the reviewer's own figures, recomputed off the
UI thread after decisions and undo, hidden at full text and before there is a history."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from screening.decisions.session import ScreeningSession
from screening.tui.widgets.stopping_panel import StoppingPanel
from tests.tui.snapshot_apps.screening_app import build


def decide_first(verdicts: str):  # noqa: ANN201
    """A prepare() for build: the reviewer decides records 1, 2, ... as i/e/m in verdicts."""
    names = {"i": "include", "e": "exclude", "m": "maybe"}

    def prepare(session: ScreeningSession) -> None:
        for rid, key in enumerate(verdicts, start=1):
            session.go_to(rid)
            session.decide(names[key], "wrong population" if key == "e" else None)

    return prepare


async def recounted(pilot: Pilot) -> StoppingPanel:
    """The panel once the figures of the history as it stands are drawn."""
    panel = pilot.app.screen.query_one(StoppingPanel)
    panel.recount_now()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return panel


def text(panel: StoppingPanel) -> str:
    return str(panel.render())


async def test_figures_follow_decisions_and_undo(tmp_path: Path) -> None:
    app = build(tmp_path / "review", prepare=decide_first("ieeme"))
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await recounted(pilot)
        assert panel.display
        assert "5 of 10 screened, 2 relevant; 1 since the last include; 5 left" in text(panel)
        assert "Run: 1/100 excludes in a row" in text(panel)
        assert "Knee: no include yet" not in text(panel)
        assert "No stopping rule in review.toml" in text(panel)
        await pilot.press("i")  # record 6: an include; the panel waits for a pause
        assert "5 of 10 screened" in text(panel)
        panel = await recounted(pilot)
        assert "6 of 10 screened, 3 relevant; 0 since the last include" in text(panel)
        await pilot.press("u")
        panel = await recounted(pilot)
        assert "5 of 10 screened, 2 relevant; 1 since the last include" in text(panel)


async def test_a_short_terminal_keeps_the_panel_to_its_history(tmp_path: Path) -> None:
    """At 80x24 the panel's five lines left the abstract three: below 32 rows it keeps to
    the history (and a met rule) and names where every method is; a resize redraws it."""
    app = build(tmp_path / "review", prepare=decide_first("ieeme"))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await recounted(pilot)
        said = text(panel)
        assert said.startswith("Stopping: 5 of 10 screened, 2 relevant")
        assert "every method: metasift status" in said and "Run:" not in said
        assert panel.size.height <= 2
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert "Run: 1/100 excludes in a row" in text(panel)
        assert "No stopping rule in review.toml" in text(panel)


async def test_hidden_before_five_records_and_at_full_text(tmp_path: Path) -> None:
    app = build(tmp_path / "review", prepare=decide_first("iie"))
    async with app.run_test(size=(120, 40)) as pilot:
        assert not (await recounted(pilot)).display
    full_text = build(tmp_path / "review", stage="full-text")
    async with full_text.run_test(size=(120, 40)) as pilot:
        panel = await recounted(pilot)
        assert not panel.display and not pilot.app.workers  # nothing counted at full text


def test_snapshot_stopping_guidance_120x40(snap_compare, tmp_path: Path) -> None:
    app = build(tmp_path / "review", prepare=decide_first("imeeeee"))
    assert snap_compare(app, terminal_size=(120, 40), run_before=recounted)
