"""What every imported record passes on its way to the review, whatever its format.

Every reader's output meets here as db.records.RecordFields (the citation path and the
worker-built PubMed XML path alike), so this is the one place that:
- strips C0 and C1 control characters (tab and newline aside) from every text field, the
  JSON lists and objects included, so an imported title cannot drive a terminal;
- leaves out a record with neither a title nor an identifier (DOI, PMID, PMCID, the
  database's own record id): nothing to screen and nothing to match it on, as an empty
  "PMID-" line or a bare "<9. >" number line makes. The import warns with its line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from db.records import RecordFields
from screening.control_chars import strip_controls

_TEXT_COLUMNS = (
    "source_record_id", "record_type", "title", "abstract", "journal", "journal_abbrev",
    "volume", "issue", "pages", "doi", "pmid", "pmcid", "issn", "language",
)  # fmt: skip
_JSON_COLUMNS = (
    "abstract_sections", "authors", "publication_types", "mesh_terms", "keywords", "urls",
    "extra",
)  # fmt: skip
# A C0 control written as a JSON escape (tab and newline are "\t", "\n"; keep those). A
# backslash before it can make this a false alarm, which only costs a decode.
_JSON_ESCAPED_CONTROL = re.compile(r"\\(?:[bfr]|u00[01][0-9a-fA-F])")
_STRING_COLUMNS = tuple(RecordFields._fields.index(name) for name in _TEXT_COLUMNS + _JSON_COLUMNS)
# the encoder rows.citation_fields uses: C1 characters stay literal, C0 become escapes
_json = json.JSONEncoder(ensure_ascii=False).encode

SKIPPED = (
    "left out a record with neither a title nor an identifier (DOI, PMID, PMCID or the "
    "database's record id)"
)


def without_controls(fields: RecordFields) -> RecordFields:
    """The fields with control characters stripped; the same object when there were none."""
    if _no_controls(" ".join(str(fields[i] or "") for i in _STRING_COLUMNS)):
        return fields
    changed: dict[str, Any] = {}
    for name in _TEXT_COLUMNS:
        value = getattr(fields, name)
        if value:
            stripped = strip_controls(value)
            if stripped is not value:  # re.sub hands back the very string when nothing matched
                changed[name] = stripped.strip() or None
    for name in _JSON_COLUMNS:
        value = getattr(fields, name)
        if value and (_JSON_ESCAPED_CONTROL.search(value) or strip_controls(value) is not value):
            changed[name] = _json(_stripped(json.loads(value)))
    return fields._replace(**changed) if changed else fields


def _no_controls(text: str) -> bool:
    """The quick answer for the common record: controls (C0, DEL, C1) are unprintable, and
    str.isprintable is 10x faster than a regex search over a 3 KB record. A False may also
    be a no-break space or the like; the caller then looks field by field."""
    printable = text.replace("\n", " ").replace("\t", " ").isprintable()
    return printable and not _JSON_ESCAPED_CONTROL.search(text)


def _stripped(value: Any) -> Any:
    """A decoded JSON value with control characters out of every string in it."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):  # a name that was nothing but controls leaves the list
        return [item for item in map(_stripped, value) if item != ""]
    if isinstance(value, dict):
        return {strip_controls(key): _stripped(item) for key, item in value.items()}
    return value


def worth_keeping(fields: RecordFields) -> bool:
    """Has a title or an identifier: something to screen, or to find the record again by."""
    return bool(
        fields.title or fields.doi or fields.pmid or fields.pmcid or fields.source_record_id
    )
