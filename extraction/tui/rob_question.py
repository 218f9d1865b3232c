"""How the risk-of-bias form shows a question: QuestionCard, the one-question-at-a-time view
(`t` in `metasift rob`): the highlighted signalling question in full, the answers it takes with
their keys, the answer given, its support text and quote, and where it stands in the domain
(skipped questions are counted, never shown); and for the whole-domain view, the table's
columns and cells and the line under it that shows the highlighted question whole."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from extraction.rob.form import Line
from extraction.rob.instrument import Domain, Instrument

ANSWER_WIDTH = 14  # "No information", "Not applicable", "NA · skipped"


def key_name(key: str) -> str:
    """How an answer key is typed: 'N' is shift+n, so it is never read as the answer N (No)."""
    return f"shift+{key.lower()}" if key.isupper() else key


def answer_label(instrument: Instrument, code: str) -> str:
    """'PN' -> 'Probably no (PN)': the words, then the abbreviation stored and exported."""
    return f"{instrument.responses.get(code, code)} ({code})"


def legend(instrument: Instrument, options: tuple[str, ...], keys: dict[str, str]) -> str:
    """The answers a question takes as 'key label (CODE)': y Yes (Y) · shift+n Probably no (PN),
    in the keys' order whatever the instrument file's."""
    return " · ".join(
        f"{key_name(key)} {answer_label(instrument, code)}"
        for key, code in keys.items()
        if code in options
    )


def choices_text(instrument: Instrument, key: str) -> str:
    """A preliminary item's choices in full ('' for free text)."""
    spec = next((p for p in instrument.preliminary if p.id == key), None)
    if spec is None or not spec.choices:
        return ""
    return f"one of: {'; '.join(spec.choices)} (a unique start will do)"


def preliminary_hint(instrument: Instrument, key: str) -> str:
    """How a preliminary item is typed, with its choices where it has them."""
    return f"s types {choices_text(instrument, key) or 'it'}"


def table_columns(width: int, key_width: int, preliminary: bool) -> list[tuple[str, int]]:
    """The table's columns for a terminal width columns wide: the key column fits the page's
    keys (design, effect_of_interest), the text takes what the others leave."""
    room = width - 2  # a scrollbar's width kept free
    if preliminary:  # the item and what was typed
        answer = max(ANSWER_WIDTH, min(40, room // 3))
        text = max(16, room - key_width - answer - 6)  # each column pads one cell either side
        return [("", key_width), ("Item", text), ("Answer", answer)]
    support, quote = (16, 12) if room >= 110 else (10, 8)
    text = max(16, room - key_width - ANSWER_WIDTH - support - quote - 10)
    return [("", key_width), ("Question", text), ("Answer", ANSWER_WIDTH),
            ("Support", support), ("Quote", quote)]  # fmt: skip


def row_cells(instrument: Instrument, domain: Domain | None, line: Line) -> list[Text]:
    """A line's cells: key, text, the answer in words (a preliminary item's as typed),
    support, quote."""
    skipped = line.applies is False
    style = "dim" if skipped else ""
    if skipped:
        answer = "NA · skipped"
    elif domain is not None and line.answer:
        answer = instrument.responses.get(line.answer, line.answer)
    else:
        answer = line.answer or "·"
    return [Text(line.key, style="bold " + style), Text(line.text, style=style),
            Text(answer, style=style), Text(line.support), Text(line.quote)]  # fmt: skip


def detail_text(
    instrument: Instrument, domain: Domain | None, line: Line, keys: dict[str, str]
) -> Text:
    """The highlighted line whole, to wrap under the table: the question and the answers it
    takes with their keys, or a preliminary item and its choices; then support and quote."""
    shown = Text.assemble((f"{line.key} ", "bold"), line.text)
    question = domain.question(line.key) if domain is not None else None
    if question is None:  # a preliminary item: what was typed, in full
        shown.append(f"\nyour answer: {line.answer or 'not typed yet'} · ")
        shown.append(preliminary_hint(instrument, line.key))
        return shown
    given = answer_label(instrument, line.answer) if line.answer else "not answered"
    shown.append(f"\nyour answer: {given} · keys: {legend(instrument, question.options, keys)}")
    if line.support or line.quote:  # each on its own line, in full
        shown.append(f"\nsupport (s): {line.support or '-'}\nquote (c): {line.quote or '-'}")
    else:
        shown.append("\nsupport (s): - · quote (c): -")
    return shown


class QuestionCard(Static):
    DEFAULT_CSS = """
    QuestionCard { height: auto; min-height: 8; padding: 1 2; border: round $panel; }
    """

    def show(
        self,
        instrument: Instrument,
        domain: Domain | None,
        lines: list[Line],
        at: int,
        keys: dict[str, str],
    ) -> None:
        """lines: the page's lines; at: the one shown; keys: answer key -> response code."""
        if not lines:
            self.update("")
            return
        line = lines[at]
        asked = [i for i, x in enumerate(lines) if x.applies is not False]
        skipped = len(lines) - len(asked)
        place = asked.index(at) + 1 if at in asked else 0
        out = Text(f"Question {place} of {len(asked)}", "bold")
        if skipped:
            out.append(f" · {skipped} skipped: they do not apply given your answers", "dim")
        out.append("\n\n")
        out.append(f"{line.key}  ", "bold")
        out.append(line.text)
        out.append("\n\n")
        question = domain.question(line.key) if domain is not None else None
        if question is not None:
            out.append("Answer: " + legend(instrument, question.options, keys) + "\n", "dim")
            given = answer_label(instrument, line.answer) if line.answer else "not answered yet"
        else:
            out.append(preliminary_hint(instrument, line.key) + "\n", "dim")
            given = line.answer or "not typed yet"
        out.append("Your answer: ")
        out.append(f"{given}\n", "bold")
        if line.support:
            out.append(f"support: {line.support}\n")
        if line.quote:
            out.append(f"quote: {line.quote}\n")
        self.update(out)
