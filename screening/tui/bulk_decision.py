"""The bulk decision on the screening screen (b), step by step: the verdict, a reason if it is
an exclusion, what it would change, a confirmation, then one write that u undoes whole.

It needs a filtered list (ScreeningSession.plan_bulk refuses the whole stage), and it waits
on dialogs, so the screen runs it in a worker.
"""

from __future__ import annotations

from textual.app import App

from screening.decisions.bulk import BulkPlan
from screening.decisions.session import ScreeningSession
from screening.tui.modals import ConfirmModal, PickerModal, ReasonModal
from screening.tui.screening_text import STAGE_LABELS, VERBS, records
from screening.tui.widgets.status_line import FAILED, StatusLine


async def decide_in_bulk(app: App[object], session: ScreeningSession, status: StatusLine) -> bool:
    """Ask, confirm and write; True if records were decided (the screen then redraws)."""
    if not session.filter.active:
        status.say("Bulk actions work on a filtered list: search (/) or filter (f) first", True)
        return False
    if not session.view:
        status.say("Nothing to decide: no record matches this filter (Esc clears it)", True)
        return False
    choice = await _ask_verdict(app, session)
    if choice is None:
        return False
    verdict, reason = choice
    plan = status.attempt(lambda: session.plan_bulk(verdict, reason))
    if plan is FAILED:
        return False
    if not plan.record_ids:
        status.say(f"All {records(plan.unchanged)} already carry that decision")
        return False
    if not await app.push_screen_wait(ConfirmModal("Bulk decision", confirmation(plan, session))):
        status.say("Bulk action cancelled")
        return False
    events = status.attempt(lambda: session.apply_bulk(plan))
    if events is FAILED:
        return False
    status.say(f"{_label(plan)}: {records(len(events))} decided · u undoes the whole action")
    return True


async def _ask_verdict(
    app: App[object], session: ScreeningSession
) -> tuple[str, str | None] | None:
    """The verdict and, for an exclusion, its reason; None if the reviewer cancelled."""
    listed = f"{records(len(session.view))} in this list ({session.filter.describe()})"
    options = [(v, VERBS[v]) for v in session.verdicts]
    verdict = await app.push_screen_wait(PickerModal(f"Decide all {listed} as", options))
    if verdict is None:
        return None
    reasons = session.protocol.exclusion_reasons
    if verdict != "exclude" or not reasons:
        return verdict, None
    picked = await app.push_screen_wait(ReasonModal(reasons, required=session.reason_required))
    return None if picked is None else (verdict, picked or None)


def confirmation(plan: BulkPlan, session: ScreeningSession) -> str:
    """What the plan would change, and whose decisions they become, for the reviewer to confirm."""
    changed = len(plan.record_ids) - plan.undecided
    return (
        f"{_label(plan)}: {records(len(plan.record_ids))} matching {plan.filter}\n"
        f"{plan.undecided:,} undecided, {changed:,} with another decision of yours now"
        + (f", {plan.unchanged:,} already so (left alone)" if plan.unchanged else "")
        + f".\nRecorded as decisions of {session.reviewer} at "
        f"{STAGE_LABELS[session.stage].lower()}; u undoes the whole action."
    )


def _label(plan: BulkPlan) -> str:
    return VERBS[plan.verdict] + (f" ({plan.reason})" if plan.reason else "")
