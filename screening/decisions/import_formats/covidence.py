"""Covidence's CSV export of one list of studies.

Covidence exports a list at a time, and the file has no verdict column: the list is the
verdict. Covidence names the file for it, review_<id>_<list>_csv_<time>.csv (the real
export in tests/fixtures/decisions/ is review_522747_included_csv_20250411194606.csv):

- select: passed title/abstract screening (include, title-abstract);
- irrelevant: excluded at title/abstract (exclude, title-abstract);
- included: included at full text (include, full-text);
- excluded: excluded at full text (exclude, full-text), the reason in Notes as
  "Exclusion reason: Wrong study design; " (as scripts reading these exports parse it; no
  real excluded-list file was found).

A renamed file needs --verdict. Columns: Title, DOI, "Accession Number" (the PubMed ID when
the reference came from PubMed: all digits, at most 8 of them; other databases' accession
numbers are longer or not numeric and are not taken for PMIDs), "Covidence #", Notes, Tags.
Covidence's RIS export carries neither its list nor its number, so only the CSV is read.
"""

from __future__ import annotations

import re
from pathlib import Path

from db.errors import ParseError
from screening.decisions.import_formats import Export, ExportRow, Options, column, table_rows
from screening.normalise import clean, normalise_doi

_LISTS = {
    "select": ("include", "title-abstract"),
    "irrelevant": ("exclude", "title-abstract"),
    "included": ("include", "full-text"),
    "excluded": ("exclude", "full-text"),
}
_FILE_NAME = re.compile(r"_(select|irrelevant|included|excluded)_csv_", re.IGNORECASE)
_PMID = re.compile(r"\d{1,8}")
_REASON = re.compile(r"exclusion reason:\s*([^;]*)", re.IGNORECASE)


def read(path: Path, options: Options) -> Export:
    header, rows = table_rows(path)
    number = column(header, "Covidence #")
    title = column(header, "Title")
    if number is None or title is None:
        raise ParseError(
            path, "no 'Covidence #' and Title columns: is this a Covidence CSV?", line=1
        )
    verdict, stage = _list_of(path, options)
    doi, accession = column(header, "DOI"), column(header, "Accession Number")
    notes, tags = column(header, "Notes"), column(header, "Tags")
    found = []
    for n, (_, row) in enumerate(rows, start=1):
        pmid = (row.get(accession or "") or "").strip()
        note = clean(row.get(notes or ""))
        reason = _REASON.search(note or "") if verdict == "exclude" else None
        found.append(
            ExportRow(
                n,
                clean(row.get(title)),
                normalise_doi(row.get(doi or "")),
                pmid if _PMID.fullmatch(pmid) else None,
                verdict,
                reason=clean(reason.group(1)) if reason else None,
                note=None if reason else note,
                tags=tuple(t.strip() for t in (row.get(tags or "") or "").split(";") if t.strip()),
            )
        )
    return Export(found, stage=stage)


def _list_of(path: Path, options: Options) -> tuple[str, str | None]:
    """The verdict (and stage) the file's list means: --verdict, else Covidence's file name."""
    if options.verdict:
        return options.verdict, None
    named = _FILE_NAME.search(path.name)
    if named is None:
        raise ParseError(
            path,
            "cannot tell which Covidence list this is (Covidence names the file "
            "review_<id>_<list>_csv_<time>.csv): give --verdict include|exclude|maybe",
        )
    return _LISTS[named.group(1).lower()]
