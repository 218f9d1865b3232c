"""`o` on the full-text screen opens the report's attached PDF with the system's viewer."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.studies import FULL_TEXTS, record_events
from screening.decisions.session import ScreeningSession
from tests.tui.snapshot_apps.screening_app import build


async def test_o_opens_the_attached_pdf_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "review"
    opened: list[str] = []
    monkeypatch.setattr(
        "screening.tui.screening_screen.open_location", lambda target: opened.append(target)
    )

    def include_and_attach(session: ScreeningSession) -> None:
        session.go_to(7)
        session.decide("include")
        (folder / "pdfs").mkdir()
        record_events(session.db, FULL_TEXTS, [(7, "pdfs/hajizadeh2013.pdf")], "ana")

    app = build(folder, "ana", "full-text", include_and_attach)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        status = str(pilot.app.screen.query_one("#status").render())
    app.session.db.close()  # type: ignore[attr-defined]
    pdf = str(folder / "pdfs" / "hajizadeh2013.pdf")
    assert opened == [pdf]
    assert status == f"Opening {pdf}"
