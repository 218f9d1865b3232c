"""The screening screen's help text (shown by ?) and the search box's hint."""

from __future__ import annotations

SEARCH_HINT = (
    'whole words, word*, "phrases", field:value (title abstract author journal type mesh keyword '
    "year pmid doi db source), OR, ( ), -term to exclude · e.g. (rats OR mice) -type:review · "
    "Enter · empty clears"
)


HELP = """\
# Screening

One record at a time. Every decision is saved to the review file the moment you make it,
as your own: nobody else's decisions are ever shown here.

- `i` include · `e` exclude: pick the reason with its number key (0: no reason, where the
  protocol allows) · `m` maybe: unsure, look again later (maybe records go on to full text)
- `r` (full text) the report could not be retrieved: PRISMA's "not retrieved", not an exclusion
- `u` undo your last step: a decision (a bulk action as a whole), or a note or tags you
  added to a decided record; the status line says which
- `n` note · `t` tags (comma-separated; `RCT` and `rct` are one tag, spelt as you first did)
  on this record. On a record you have not decided yet they are kept, not saved, until you
  decide it: the decision saves them
- `j` `k` or the arrows: next / previous record · `g` next record without your decision
- `PgDn` `PgUp` `Space`: scroll a long abstract
- `/` search (below) · `f` filter by your decision or a tag · `Esc` clears both
- `b` bulk: decide every record of the filtered list at once (shows the count, asks first)
- `h` PICOS highlighting on or off · `o` (full text) open the PDF or link
- `s` order: most likely relevant first (learnt from your own decisions, once you have an
  include and an exclude), import order, or random order; the header says which
- `Ctrl+P` every action by name · `?` this help · `q` quit (decisions are already saved;
  q asks first if a note or tags still wait for a decision)

## Highlighting

Include keywords of review.toml are marked on green, exclude keywords on red (underlined),
in a shade per PICOS element; the lines above the abstract list what was found per element.

## Search

Whole words and "quoted phrases" must all appear in the title, abstract, authors, journal,
keywords or MeSH terms (`rat` finds "rat", not "ratio"; `rat*` finds words starting so).
Fields narrow it: `title:` `abstract:` `author:` `journal:` (words, `word*` or phrases there),
`db:` `source:` (the record's database contains it), `type:` `mesh:` `keyword:` (one entry
equals it; `*` matches any ending, e.g. `type:*review`), `year:2015` `year:2010-2015`
`year:>2010`, `pmid:` `doi:`. `OR` gives either and parentheses group:
`(rats OR mice) cirrhosis`. A leading `-` excludes: `-type:review`.

## Full text

Lists the records that went on from title/abstract, with the PDF or links known for each.
While you screen alone, those are the records you included or marked maybe. Once a colleague
has screened too (or the protocol sets a pilot round), it is the team's outcome instead:
records agreed on, or resolved by the adjudicator, as include or maybe, whatever your own
verdict was; and a record that already has the full-text decisions it needs from colleagues
leaves your list. "Not retrieved" counts as PRISMA's reports not retrieved, not as an
exclusion.
"""
