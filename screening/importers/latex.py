"""LaTeX in BibTeX field values: to Unicode text (reading) and back (writing).

Reading handles what bibliographic exports put in values: accents in every spelling
(``{\\"o}``, ``\\"{o}``, ``\\"o``, ``\\c{c}``, ``\\'{\\i}``), special letters (``\\ss``,
``\\o``, ``\\ae``), escaped characters (``\\&``, ``\\%``, ``\\_``), ``~`` as a space, ``--``
and ``---`` as dashes, simple math (``$\\alpha$``, ``CO$_2$``), and formatting commands
(``\\emph{x}``, ``\\textit{x}``), which keep their text. Braces only protect case in
BibTeX, so they are dropped. A blank line inside a value is a paragraph break and stays
one ("\\n\\n"); other runs of white space become one space.

``latex_escape`` writes text so that ``latex_to_text`` gives it back unchanged.

Hand-written rather than pylatexenc, which reads values as a LaTeX document: the "%" and "&"
that exports write unescaped become a comment (the rest of the value is lost) and an
alignment mark (dropped); "~" becomes a no-break space, "CO$_2$" "CO_2"; and it was 150x
slower on the fixture's values (measured reasons in screening.importers.bibtex).
"""

from __future__ import annotations

import re
import unicodedata

# accent command -> combining mark
_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}
_SYMBOLS = {
    "ss": "ß", "SS": "SS", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "textbackslash": "\\", "textbraceleft": "{", "textbraceright": "}",
    "textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_",
    "textless": "<", "textgreater": ">", "textbar": "|", "textendash": "–",
    "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
    "textquotedblleft": "“", "textquotedblright": "”", "textregistered": "®",
    "texttrademark": "™", "textcopyright": "©", "copyright": "©", "textdegree": "°",
    "degree": "°", "S": "§", "P": "¶", "dag": "†", "ddag": "‡", "pounds": "£",
    "textellipsis": "…", "ldots": "…", "dots": "…", "textbullet": "•", "LaTeX": "LaTeX",
    "TeX": "TeX", "pm": "±", "mp": "∓", "times": "×", "div": "÷", "le": "≤", "leq": "≤",
    "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼",
    "infty": "∞", "cdot": "·", "to": "→", "rightarrow": "→", "leftarrow": "←",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε",
    "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip
_SPACE_WORDS = {"newline", "linebreak", "quad", "qquad", "enspace", "thinspace", "space"}
_DOTLESS = {"ı": "i", "ȷ": "j"}  # \'{\i} is í, not a dotless i with an accent
_LETTERS = re.compile(r"[A-Za-z]+")
_SPACE = re.compile(r"\s+")
_SPECIAL = re.compile(r"[{}\\$~^_\t\n\r-]|\s\s")
# ordinary text, or one space between words: copied in one step
_PLAIN = re.compile(r"[^{}\\$~^_\s-]+(?: [^{}\\$~^_\s-]+)*")
_ESCAPED_IN_VERBATIM = re.compile(r"\\([&%$#_{}~])|[{}]")
_ESCAPES = {
    "\\": "\\textbackslash{}",
    "{": "\\{",
    "}": "\\}",
    "&": "\\&",
    "%": "\\%",
    "$": "\\$",
    "#": "\\#",
    "_": "\\_",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
}
_TO_ESCAPE = re.compile(r"[\\{}&%$#_~^]|-(?=-)")


def latex_to_text(value: str, *, pages: bool = False) -> str:
    """Unicode text for a BibTeX value; with pages=True every dash run is one hyphen."""
    if not _SPECIAL.search(value):
        return value  # most values are plain text
    return _Reader(value, pages).read()


def verbatim(value: str) -> str:
    """A URL or DOI value: braces dropped and \\% \\_ \\& ... unescaped, nothing else touched."""
    return _ESCAPED_IN_VERBATIM.sub(lambda m: m.group(1) or "", value)


def latex_escape(text: str) -> str:
    """Text as a BibTeX value that latex_to_text reads back as the same text."""
    return _TO_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0), "-{}"), text)


class _Reader:
    def __init__(self, src: str, pages: bool) -> None:
        self.src = src
        self.pos = 0
        self.pages = pages
        self.math = False

    def read(self, closing: str | None = None) -> str:
        out: list[str] = []
        src = self.src
        while self.pos < len(src):
            plain = _PLAIN.match(src, self.pos)
            if plain:
                out.append(plain.group(0))
                self.pos = plain.end()
                continue
            ch = src[self.pos]
            if ch == "}" and closing == "}":
                return "".join(out)
            self.pos += 1
            if ch == "{":
                out.append(self.read("}"))
                self.pos += 1  # the closing brace
            elif ch == "\\":
                out.append(self.command())
            elif ch == "$":
                self.math = not self.math
            elif ch in "^_":
                out.append("" if self.math else ch)
            elif ch == "~":
                out.append(" ")
            elif ch == "-":
                out.append(self.dashes())
            elif ch.isspace():
                out.append(self.space())
            elif ch != "}":  # a stray closing brace is dropped
                out.append(ch)
        return "".join(out)

    def dashes(self) -> str:
        run = 1
        while self.src.startswith("-", self.pos):
            self.pos += 1
            run += 1
        if self.pages or run == 1 or run > 3:
            return "-" if self.pages else "-" * run
        return "–" if run == 2 else "—"

    def space(self) -> str:
        match = _SPACE.match(self.src, self.pos - 1)
        assert match is not None
        self.pos = match.end()
        return "\n\n" if match.group(0).count("\n") >= 2 else " "

    def command(self) -> str:
        if self.pos >= len(self.src):
            return "\\"
        match = _LETTERS.match(self.src, self.pos)
        if match is None:  # a control symbol: \" \& \\ \, ...
            ch = self.src[self.pos]
            self.pos += 1
            if ch in _ACCENTS:
                return self.accent(_ACCENTS[ch])
            if ch in "\\ ,;:!":
                return " "
            return "" if ch in "-/@" else ch
        name = match.group(0)
        self.pos = match.end()
        if name in _ACCENTS:
            return self.accent(_ACCENTS[name])
        self.skip_spaces()  # TeX drops the spaces after a control word
        if name == "par":
            return "\n\n"
        if name in _SPACE_WORDS:
            return " "
        if name == "href":  # \href{url}{text}: keep the text
            self.group()
        return _SYMBOLS.get(name, "")  # \emph, \textit ...: the group after it is the text

    def accent(self, mark: str) -> str:
        self.skip_spaces()
        if self.pos >= len(self.src):
            return ""
        ch = self.src[self.pos]
        if ch == "{":
            base = self.group()
        elif ch == "\\":
            match = _LETTERS.match(self.src, self.pos + 1)
            name = match.group(0) if match else ""
            self.pos += 1 + len(name)
            base = _SYMBOLS.get(name, "")
        else:
            self.pos += 1
            base = ch
        if not base:
            return ""
        first = _DOTLESS.get(base[0], base[0])
        return unicodedata.normalize("NFC", first + mark) + base[1:]

    def group(self) -> str:
        """The text of the {group} at pos."""
        self.pos += 1
        text = self.read("}")
        self.pos += 1
        return text

    def skip_spaces(self) -> None:
        while self.pos < len(self.src) and self.src[self.pos] in " \t":
            self.pos += 1
