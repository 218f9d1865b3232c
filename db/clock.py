"""The one clock every event and log entry is stamped with: UTC, ISO 8601, to the millisecond.

Milliseconds because events are ordered by (time, UUID): seconds would tie a reviewer's
quick decisions and leave their order to the UUIDs.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
