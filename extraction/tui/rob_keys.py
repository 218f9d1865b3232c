"""The risk-of-bias form's keys (`metasift rob`): the bindings, the answer each answer key
gives, the help page that lists them all, and the prompt each typing key (s, c, o) opens."""

from __future__ import annotations

from textual.binding import Binding, BindingType

# key -> the instrument's abbreviation: y Yes, n No, shift for the probably-forms
ANSWER_KEYS = {"y": "Y", "Y": "PY", "N": "PN", "n": "N", "i": "NI", "a": "NA"}

HELP = """\
# Risk of bias

The whole domain at a time, or one question at a time (`t` switches): answer each signalling
question with a key; questions that do not apply given your earlier answers are skipped (NA).
The algorithm's suggested judgement is shown as you answer; `o` overrides it with a judgement
and why. Every entry is saved at once as an event of its own. With two reviewers, each sees
only their own answers until both mark the study done (`d`); then the other's judgements show,
and an adjudicator settles what differs with `metasift rob consensus`. Done needs a judgement
in every domain. A study stays done when you change an answer and every domain still has a
judgement (rob compare sees the change at once); a change that leaves a domain without one
reopens it, and `d` marks it done again.

| key | does |
|---|---|
| `y` `n` | Yes (Y), No (N): in brackets, the abbreviation stored and exported |
| `Y` `N` | shift+y Probably yes (PY), shift+n Probably no (PN) |
| `i` `a` | No information (NI), Not applicable (NA) |
| `j` `k` or ↓ ↑ | Next / previous question (skipped ones are passed over) |
| `t` | One question at a time, or the whole domain |
| `s` or `Enter` | Support text for the answer (on Preliminary: the item, or a choice's start) |
| `c` | Quote, as `PAGE \\| quoted text` |
| `]` `[` | Next / previous domain |
| `>` `<` | Next / previous study |
| `o` | Override the domain's judgement: one of the tool's and why, as the prompt shows |
| `O` | Override the overall judgement the same way (empty text withdraws an override) |
| `d` | Mark the study done once every domain has a judgement (or reopen it) |
| `u` | Undo your last entry in this session |
| `q` | Quit (every entry is already saved) |
"""

PROMPTS = {
    "support": "support text for {key}: Enter saves, Escape cancels",
    "quote": "quote for {key} as PAGE | text: Enter saves, Escape cancels",
    "override": "{key}: a judgement ({known}) and why, e.g. {example}; empty withdraws it",
}

# the answer keys are not in the footer (80 columns hold the rest): the question's own
# line under the table, and the card, list the answers it takes with their keys
BINDINGS: list[BindingType] = [
    Binding("y", "answer('y')", "Yes", show=False, id="yes", tooltip="Answer Yes (Y)"),
    Binding("Y", "answer('Y')", "Probably yes", show=False, id="probably_yes",
            tooltip="Answer Probably yes (PY)"),
    Binding("N", "answer('N')", "Probably no", show=False, id="probably_no",
            tooltip="Answer Probably no (PN)"),
    Binding("n", "answer('n')", "No", show=False, id="no", tooltip="Answer No (N)"),
    Binding("i", "answer('i')", "No information", show=False, id="no_information",
            tooltip="Answer No information (NI)"),
    Binding("a", "answer('a')", "Not applicable", show=False, id="not_applicable",
            tooltip="Answer Not applicable (NA)"),
    Binding("j,down", "move(1)", "Move", key_display="j/k", show=False, id="next"),
    Binding("k,up", "move(-1)", "Previous", show=False, id="previous"),
    Binding("s,enter", "type('support')", "Support", key_display="s", id="support"),
    Binding("c", "type('quote')", "Quote", show=False, id="quote",
            tooltip="Quote: PAGE | text"),
    Binding("right_square_bracket", "page(1)", "Domain", key_display="]/[", id="next_domain"),
    Binding("left_square_bracket", "page(-1)", "Prev domain", show=False, id="prev_domain"),
    Binding("greater_than_sign", "study(1)", "Study", key_display=">/<", id="next_study"),
    Binding("less_than_sign", "study(-1)", "Prev study", show=False, id="prev_study"),
    Binding("o", "type('override')", "Judge", key_display="o/O", id="override",
            tooltip="The domain's judgement (O: the overall one): judgement: why"),
    Binding("O", "type('override', 'overall')", "Overall", show=False, id="overall"),
    Binding("t", "one_at_a_time", "One/all", id="one_at_a_time",
            tooltip="One question at a time, or the whole domain"),
    Binding("d", "done", "Done", id="done",
            tooltip="Mark the study done (every domain judged), or reopen it"),
    Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last entry"),
    Binding("q", "quit", "Quit", id="quit", tooltip="Every entry is already saved"),
]  # fmt: skip
