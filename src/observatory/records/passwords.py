"""Passwords nobody should be allowed to choose: the ones attackers try first.

A short list rather than a large dictionary: the words and keyboard runs that head every leaked
password list (with the digits and signs people add at the end taken off), the observatory's own
words, one character repeated, a run of digits, and the username itself.
"""

from __future__ import annotations

import re

# Compared in lower case, after taking digits and punctuation off the end ("Summer2024!" -> "summer").
COMMON = frozenset("""
password passw0rd p@ssw0rd p@ssword pa55word qwerty qwertyuiop qwertyuiop[] asdfghjkl zxcvbnm
qazwsx qazwsxedc 1qaz2wsx 1qaz2wsx3edc zaq1xsw2 zaq12wsx abc abcdef abcdefgh abcdefghij letmein
welcome iloveyou admin administrator root changeme default secret monkey dragon football baseball
soccer sunshine princess superman batman starwars trustno master shadow michael jennifer jordan
hunter ranger buster killer charlie freedom whatever computer internet samsung google
summer winter spring autumn january february march april may june july august september october
november december monday friday council councillor observatory westyorkshire yorkshire leeds
bradford wakefield kirklees calderdale london england
""".split())
_TAIL = re.compile(r"[\d\W_]+$")
_RUNS = ("01234567890", "09876543210", "1234567890", "0987654321")

TOO_COMMON = ("The password is too common: it is among the first an attacker would try. Choose another, "
              "for example three or four unrelated words.")


def weakness(password: str, username: str = "") -> str | None:
    """Why `password` may not be used (a sentence for the person choosing it), or None."""
    lowered = password.lower()
    base = _TAIL.sub("", lowered)
    if base in COMMON or lowered in COMMON:
        return TOO_COMMON
    if len(set(lowered)) <= 2:
        return "The password repeats one or two characters. Choose another, for example three or four unrelated words."
    if lowered.isdigit() and any(lowered in run or run.startswith(lowered) for run in _RUNS):
        return TOO_COMMON
    name = username.strip().lower()
    if name and len(name) >= 3 and name in lowered:
        return "The password contains the username. Choose another, for example three or four unrelated words."
    return None
