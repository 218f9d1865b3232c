"""PubMed's MEDLINE text format ("Save > PubMed format", .nbib, efetch rettype=medline).

A record is a run of tag lines ("PMID- 123": the tag padded to four characters, then "- ")
whose values go on over continuation lines indented by six spaces; empty lines separate
records. A continuation line holding only spaces is a paragraph break inside a value (PubMed
writes those in book abstracts), not the end of the record.

A file cut short: PubMed ends every record with its SO (source) line, so a last record that
does not end with the field the records before it end with was cut; it is left out and the
import warns with the line where the file ends (tagged.whole_records). A file of one record
is taken as whole, and a cut inside the SO line itself, or between two records, cannot be
seen. A record with neither a title nor an identifier (an empty "PMID-" line and no TI) is
left out by the import, with a warning.

Choices:
- authors are the full names (FAU, "Surname, Given"); an author with only a short name (AU,
  "Smith JA") becomes "Smith, JA"; a group author (CN) keeps its place in the list;
- MeSH headings are kept as PubMed prints them, "Descriptor/qualifier/qualifier", without the
  '*' major-topic marks: the descriptor is the part before the first "/", and the starred
  headings are listed again in extra["mesh_major"];
- the ISSN is the print one, else the electronic one, else the linking ISSN (kept in
  extra["issn_linking"] too, since it names the journal whatever the medium);
- shortened page ranges are written out ("463-8" -> "463-468"), and a record without PG takes
  its e-locator (an LID without a bracketed type, "e5082") as pages.

Why not Bio.Medline.parse (biopython 1.88; benchmarks/library_readers.py, on the seven
fixtures, 111 records): it splits records faster (0.16 s against our 0.23 s for 3,200 records,
9.7 MB) but reads less. It joins the repeats of a tag it does not expect to repeat, so "IS"
becomes "2277-9175 (Print) 2277-9175 (Electronic) 2277-9175 (Linking)" and a DOI LID gains the
next LID (127 of 3,409 tag values differ: IS, LID, CI, COIS); it gives no line numbers nor the
record as written; its dict loses the order of FAU and CN; a line that is no tag becomes a
field ("this": "ine is no tag"); and two records without a blank line between them merge
into one (PMID "1 2").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from db.errors import ParseError
from screening.citation import Citation, Section
from screening.importers.tagged import split_tag, whole_records
from screening.importers.textfile import SourceFile
from screening.normalise import (
    abstract_text,
    clean,
    clean_list,
    expand_pages,
    normalise_doi,
    normalise_language,
    normalise_pmcid,
    normalise_pmid,
    parse_year,
    split_sections,
    surname_first,
)

NAME = "medline"

# Links to other PubMed records that a reviewer needs to see: retractions, errata, comments.
_LINKS = {
    "CIN": "comment_in",
    "CON": "comment_on",
    "EIN": "erratum_in",
    "EFR": "erratum_for",
    "RIN": "retraction_in",
    "ROF": "retraction_of",
    "RPI": "republished_in",
    "RPF": "republished_from",
    "UIN": "update_in",
    "UOF": "update_of",
    "ECI": "expression_of_concern_in",
    "ECF": "expression_of_concern_for",
}
_NOTES = {
    "STAT": "status",
    "PST": "publication_status",
    "DP": "publication_date",
    "DEP": "electronic_date",
    "SO": "source",
    "TT": "original_title",
    "PB": "publisher",
    "ISBN": "isbn",
}
_TYPED_ID = re.compile(r"(.*?)\s*\[([\w-]+)\]\s*$")
_ISSN = re.compile(r"(\S+)\s*(?:\((\w+)\))?")


def sniff(head: str) -> bool:
    """The first non-blank line is a PMID tag line."""
    for line in head.splitlines():
        if line.strip():
            return line.startswith("PMID- ")
    return False


@dataclass
class _Record:
    """The lines and (tag, value) fields of one record as they are read."""

    start: int
    lines: list[str] = field(default_factory=list)
    fields: list[list[str]] = field(default_factory=list)

    def add(self, tag: str, value: str) -> None:
        self.fields.append([tag, value])

    def extend(self, text: str) -> None:
        """A continuation line: MEDLINE wraps at spaces, so the pieces join with one."""
        last = self.fields[-1]
        last[1] = f"{last[1]}\n" if not text else f"{last[1]} {text}"

    def has(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.fields)

    def raw(self) -> str:
        lines = list(self.lines)
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines)


def read(source: SourceFile, **options: Any) -> Iterator[Citation]:
    """Stream the records; ParseError names the first line that fits no MEDLINE pattern."""
    for record in whole_records(_records(source), source):
        yield _citation(record)


def _records(source: SourceFile) -> Iterator[_Record]:
    record: _Record | None = None
    for number, line in source.lines():
        if not line:
            if record is not None:
                yield record
            record = None
            continue
        tagged = split_tag(line)
        if tagged is not None:
            # a PMID line opens a new record even when the blank line before it was lost
            if record is not None and tagged[0] == "PMID" and record.has("PMID"):
                yield record
                record = None
            if record is None:
                record = _Record(number)
            record.add(*tagged)
        elif line[0].isspace():
            if record is None:
                if not line.strip():
                    continue  # spaces between records
                _fail(source.path, number, "a continuation line with no tag line before it")
            record.extend(line.strip())
        else:
            _fail(source.path, number, f"not a MEDLINE line: {line[:60]!r}")
        record.lines.append(line)
    if record is not None:
        yield record


def _fail(path: Path, number: int, what: str) -> NoReturn:
    raise ParseError(
        path,
        f"{what} (expected a tag line such as 'TI  - ...', a continuation line indented "
        "by six spaces, or a blank line between records)",
        line=number,
    )


def _citation(record: _Record) -> Citation:
    values: dict[str, list[str]] = {}
    for tag, value in record.fields:
        values.setdefault(tag, []).append(value)

    def text(tag: str) -> str | None:
        return clean(" ".join(values.get(tag, [])))

    sections, abstract = _abstract(" ".join(values.get("AB", [])))
    mesh, major = _mesh(values.get("MH", []))
    issn, linking = _issn(values.get("IS", []))
    ids = _typed_ids([*values.get("LID", []), *values.get("AID", [])])
    title = text("TI") or text("BTI")
    return Citation(
        raw=record.raw(),
        line=record.start,
        title=title,
        abstract=abstract,
        sections=sections,
        authors=_authors(record.fields),
        year=parse_year(text("DP")) or parse_year(text("DEP")),
        journal=text("JT"),
        journal_abbrev=text("TA"),
        volume=text("VI"),
        issue=text("IP"),
        pages=expand_pages(text("PG") or ids.get("")),
        doi=normalise_doi(ids.get("doi")),
        pmid=normalise_pmid(text("PMID")),
        pmcid=normalise_pmcid(text("PMC")),
        issn=issn,
        language=normalise_language("; ".join(clean_list(values.get("LA", [])))),
        publication_types=clean_list(values.get("PT", [])),
        mesh_terms=mesh,
        keywords=clean_list(k.lstrip("*") for k in values.get("OT", [])),  # '*': a major one
        record_type=_record_type(values),
        source_record_id=normalise_pmid(text("PMID")),
        extra=_extra(values, major, linking, ids),
    )


def _abstract(text: str) -> tuple[list[Section], str | None]:
    """Labelled sections when the abstract is structured ("BACKGROUND: ... METHODS: ...")."""
    sections = [Section(s.label, clean(s.text) or "") for s in split_sections(text)]
    if sections:
        return sections, abstract_text(sections)
    return [], clean(text)


def _authors(fields: list[list[str]]) -> list[str]:
    """FAU names; AU only for an author without a FAU line before it; CN in its place."""
    names: list[str | None] = []
    full_name_given = False
    for tag, value in fields:
        if tag == "FAU":
            names.append(clean(value))
            full_name_given = True
        elif tag == "AU":
            if not full_name_given:
                names.append(clean(surname_first(value)))
            full_name_given = False
        elif tag == "CN":
            names.append(clean(value))
            full_name_given = False
    return [name for name in names if name]  # two authors may share a name: no de-duplication


def _mesh(headings: list[str]) -> tuple[list[str], list[str]]:
    terms, major = [], []
    for heading in headings:
        term = clean(heading.replace("*", ""))
        if term is None:
            continue
        terms.append(term)
        if "*" in heading:
            major.append(term)
    return clean_list(terms), clean_list(major)


def _issn(values: list[str]) -> tuple[str | None, str | None]:
    """The print ISSN, else electronic, else linking, else the first; and the linking one."""
    by_kind: dict[str, str] = {}
    for value in values:
        match = _ISSN.match(value.strip())
        if match:
            by_kind.setdefault((match.group(2) or "").lower(), match.group(1))
    for kind in ("print", "electronic", "linking", ""):
        if kind in by_kind:
            return by_kind[kind], by_kind.get("linking")
    return None, None


def _typed_ids(values: list[str]) -> dict[str, str]:
    """{"doi": ..., "pii": ..., "": e-locator} from LID/AID lines ("10.1/x [doi]"); first wins."""
    ids: dict[str, str] = {}
    for value in values:
        value = clean(value) or ""
        match = _TYPED_ID.match(value)
        kind, ident = (match.group(2).lower(), match.group(1)) if match else ("", value)
        if ident:
            ids.setdefault(kind, ident)
    return ids


def _record_type(values: dict[str, list[str]]) -> str:
    if "BTI" in values:
        return "book chapter" if "TI" in values else "book"
    return "article"


def _extra(
    values: dict[str, list[str]], major: list[str], linking: str | None, ids: dict[str, str]
) -> dict[str, Any]:
    extra: dict[str, Any] = {
        key: clean(" ".join(values[tag])) for tag, key in _NOTES.items() if tag in values
    }
    extra.update({key: clean_list(values[tag]) for tag, key in _LINKS.items() if tag in values})
    if "BTI" in values and "TI" in values:
        extra["book_title"] = clean(" ".join(values["BTI"]))
    history = dict(_history(values.get("PHST", [])))
    extra.update(
        mesh_major=major, issn_linking=linking, pii=ids.get("pii"), history=history or None
    )
    return {key: value for key, value in extra.items() if value}


def _history(values: list[str]) -> Iterator[tuple[str, str]]:
    """PHST "2018/04/17 06:00 [entrez]" -> ("entrez", "2018/04/17 06:00")."""
    for value in values:
        match = _TYPED_ID.match(value)
        if match:
            yield match.group(2), match.group(1)
