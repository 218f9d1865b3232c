"""Every record of every fixture file as metasift imports it, field by field; and the fields
that changed between two such dumps (before and after a change to the importers).

    python benchmarks/fixture_fields.py dump OUT.json [FILE_OR_DIR...]   (default: tests/fixtures)
    python benchmarks/fixture_fields.py diff BEFORE.json AFTER.json [--show N]

dump imports each file into a fresh in-memory review, through import_file as the CLI does,
and writes {file: [record fields...]}. Files that are not exports (sources lists, decisions,
Entrez answers) or that no importer reads are skipped and named. diff prints, per field, how
many records changed, and N examples of each.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

FIELDS = (
    "title", "abstract", "authors", "year", "journal", "journal_abbrev", "volume", "issue",
    "pages", "doi", "pmid", "pmcid", "issn", "language", "publication_types", "mesh_terms",
    "keywords", "record_type", "source_record_id", "extra",
)  # fmt: skip
SKIPPED_FOLDERS = ("decisions", "dedup", "screening", "cassettes")


def export_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() != ".md"
                and not any(part in SKIPPED_FOLDERS for part in p.parts)
            )
        else:
            found.append(path)
    return found


def dump(paths: list[Path]) -> dict[str, Any]:
    from db.errors import MetasiftError
    from screening.importing import import_file
    from screening.review import init_review, load_review

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for number, path in enumerate(export_files(paths)):
            folder = Path(tmp) / str(number)
            init_review(folder)
            review = load_review(folder)
            try:
                import_file(review.db, path)
            except MetasiftError as e:
                print(f"skipped {path}: {e}", file=sys.stderr)
                continue
            rows = review.db.execute(
                f"SELECT {', '.join(FIELDS)} FROM records ORDER BY id"  # noqa: S608 (fixed names)
            ).fetchall()
            out[str(path)] = [dict(zip(FIELDS, row, strict=True)) for row in rows]
    return out


def diff(before: dict[str, Any], after: dict[str, Any], show: int) -> None:
    changed: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for name, old_rows in before.items():
        new_rows = after.get(name)
        if new_rows is None or len(new_rows) != len(old_rows):
            print(f"{name}: record count {len(old_rows)} -> {len(new_rows or [])}")
            continue
        for i, (old, new) in enumerate(zip(old_rows, new_rows, strict=True)):
            for field in FIELDS:
                if old[field] != new[field]:
                    changed[field] += 1
                    examples.setdefault(field, []).append(_example(name, i, old[field], new[field]))
    total = sum(len(rows) for rows in before.values())
    print(f"{len(before)} files, {total} records")
    for field, count in changed.most_common():
        print(f"{field}: {count} records changed")
        for example in examples[field][:show]:
            print(example)


def _example(name: str, index: int, old: Any, new: Any) -> str:
    return f"  {Path(name).name}#{index + 1}: {old!r:.200}\n    -> {new!r:.200}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("paths", nargs="*", type=Path, default=[Path("tests/fixtures")])
    c = sub.add_parser("diff")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    c.add_argument("--show", type=int, default=3)
    args = ap.parse_args()
    if args.command == "dump":
        args.out.write_text(json.dumps(dump(args.paths), ensure_ascii=False, indent=0))
    else:
        diff(json.loads(args.before.read_text()), json.loads(args.after.read_text()), args.show)


if __name__ == "__main__":
    main()
