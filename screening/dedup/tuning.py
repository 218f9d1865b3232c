"""Which labelled set each rule was made from, and a switch that leaves rules out.

Every rule is on in a review. benchmarks/dedup_eval.py measures each labelled set a second
time with the rules made from that set switched off (leave one set out): a rule that only fits
the set it was made from shows there as no loss on the other sets and a gain on its own.
The sets are the files of ../shared/data/dedup/ by name; a subset (one search of a file)
counts as its file. The switch holds in this process only: a run of 20,000 records or more
makes half its keys in a worker process, where every rule is on.
"""

from __future__ import annotations

from collections.abc import Iterable

TUNED_ON = {
    # notes cut off or holding brackets, original-language titles, pasted citations, an
    # erratum's reference to the article it corrects (screening/dedup/title_marks.py)
    "title-marks": "sra_rathbone2015",
    "conference-journal": "sra_rathbone2015",  # "J Thromb Haemost.Conference: ..."
    "surname-particle": "sra_rathbone2015",  # "Le Quintrec, M.", "Quintrec, M.", "Le, Quintrec M."
    "page-lists": "sra_rathbone2015",  # "233-8, 230-5, 246-51" against "230-5, 246-51, 233-8"
    "page-slips": "sra_rathbone2015",  # "2141-2147" / "2142-2147", "2297-2108" / "2097-2108"
    "appended-subtitle": "sra_rathbone2015",  # a subtitle or citation after one title
    "subtitle-dropped": "sra_rathbone2015",  # "Unilateral neglect in stroke[: A comparative study]"
    "pages-outweighed": "sra_rathbone2015",  # title, authors, journal, year, volume over pages
    "volume-across-years": "sra_rathbone2015",  # one volume, issue and page dated 2010 and 2011
    "misfiled-doi": "asysd_diabetes",  # an Appetite abstract with a Regulatory Peptides DOI
}
_switched_off: set[str] = set()


def on(rule: str) -> bool:
    return rule not in _switched_off


def leave_out(rules: Iterable[str]) -> None:
    """Switch these rules off (and every other on) for the rest of the process; the key caches
    must be cleared after (screening.dedup.keys.clear_caches)."""
    unknown = set(rules) - set(TUNED_ON)
    if unknown:
        raise ValueError(f"no such dedup rule: {sorted(unknown)}")
    _switched_off.clear()
    _switched_off.update(rules)


def tuned_on(dataset: str) -> list[str]:
    """The rules made from this labelled set (its file name without .csv)."""
    return [rule for rule, name in TUNED_ON.items() if name == dataset]
