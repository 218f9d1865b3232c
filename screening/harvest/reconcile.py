"""Checking a finished harvest against ESearch's count, and saying where and why it falls short."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from db.harvests import missing_pmids, window_report

SHOW_PMIDS = 10


def shortfalls(db: Database, h: dict[str, Any]) -> list[str]:
    """Empty when the records landed equal what ESearch counted (or --max); otherwise one line
    per cause: the window that is short, by how much, and why."""
    limited = bool(h["max_records"]) and h["max_records"] < h["count"]
    expected = h["max_records"] if limited else h["count"]
    if h["landed"] == expected:
        return []
    windows = window_report(db, h["id"], h["source_id"])
    out = []
    listed = sum(w["count"] for w in windows)
    if h["kind"] == "search" and not limited and listed != h["count"]:
        out.append(
            f"the windows counted {listed:,} records where the first search counted "
            f"{h['count']:,}: PubMed changed while the windows were being searched"
        )
    for w in windows:
        reasons = _window_reasons(db, h, w, limited)
        if reasons:
            out.append(
                f"window {w['label']}: {w['landed']:,} of {w['count']:,} landed; "
                + "; ".join(reasons)
            )
    if not out:
        out.append(f"{h['landed']:,} records landed where {expected:,} were expected")
    return out


def _window_reasons(db: Database, h: dict[str, Any], w: dict[str, Any], limited: bool) -> list[str]:
    reasons = []
    if w["listed"] < w["count"] and not limited:
        reasons.append(f"ESearch counted {w['count']:,} but listed only {w['listed']:,} PMIDs")
    if w["duplicates"]:
        reasons.append(
            f"{w['duplicates']:,} of its PMIDs were listed by another window too "
            "(their date changed during the harvest) and were kept once"
        )
    gone = w["planned"] - w["landed"]
    if gone:
        pmids = missing_pmids(db, h["id"], w["id"], h["source_id"])
        shown = ", ".join(pmids[:SHOW_PMIDS]) + (", ..." if len(pmids) > SHOW_PMIDS else "")
        why = "not in PubMed" if h["kind"] == "pmids" else "deleted or merged since the search"
        reasons.append(f"efetch returned no record for {gone:,} PMIDs ({why}?): {shown}")
    return reasons
