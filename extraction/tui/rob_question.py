"""QuestionCard: the risk-of-bias form's one-question-at-a-time view (`t` in `metasift rob`):
the highlighted signalling question in full, the answers it takes with their keys, the answer
given, its support text and quote, and where it stands in the domain (skipped questions are
counted, never shown)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from extraction.rob.form import Line
from extraction.rob.instrument import Domain, Instrument


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
            by_code = {code: key for key, code in keys.items()}
            offered = [f"{by_code.get(o, '?')} {instrument.responses.get(o, o)}"
                       for o in question.options]  # fmt: skip
            out.append("Answer: " + "   ".join(offered) + "\n", "dim")
        else:
            out.append("s types it\n", "dim")
        given = line.answer or "not answered yet"
        out.append("Your answer: ")
        out.append(f"{given}\n", "bold")
        if line.support:
            out.append(f"support: {line.support}\n")
        if line.quote:
            out.append(f"quote: {line.quote}\n")
        self.update(out)
