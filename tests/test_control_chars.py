"""Record text never reaches a terminal with its control characters live."""

from screening.control_chars import strip_controls, visible

HOSTILE = "Evil \x1b]0;PWNED\x07 \x1b[2J red\x9b"


def test_strip_keeps_tab_and_newline_only():
    assert strip_controls(HOSTILE + "\tA\nB\r") == "Evil ]0;PWNED [2J red\tA\nB"


def test_visible_escapes_every_control():
    assert visible(HOSTILE) == "Evil \\x1b]0;PWNED\\x07 \\x1b[2J red\\x9b"
    assert visible("plain\ttext\n") == "plain\ttext\n"
