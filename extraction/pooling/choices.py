"""The names `metasift pool` offers (methods, tests, continuity targets), apart from the engine
so the command line can list them without importing numpy and scipy (`metasift --help`
answers at once)."""

from __future__ import annotations

FIXED_METHODS = ("FE", "MH", "PETO")
RANDOM_METHODS = ("DL", "REML", "PM", "ML", "HE", "SJ", "HS", "EB")
TESTS = ("z", "t", "knha", "adhoc")
CONTINUITY_TARGETS = ("only0", "all", "if0all", "none")
