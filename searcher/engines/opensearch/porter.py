"""The Porter stemmer exactly as the cluster's ``porter_stem`` filter runs it (Lucene's
``PorterStemmer``: Porter's 1980 algorithm with his reference implementation's departures,
"-bli" -> "-ble" and "-logi" -> "-log" in the second step).

Here so that the engine can analyse a text as the index does without asking the cluster
(analysis.py): a word query, the top hits feedback learns from, the words a snippet marks.
Whoosh's own Porter stemmer differs from Lucene's on some words, so it cannot serve.
"""

from __future__ import annotations

from functools import lru_cache

_VOWELS = frozenset("aeiou")

#: The second step's suffixes (double suffixes to single ones), by the letter before the
#: last, each tried in order; a replacement applies only when the stem before it has m > 0.
_STEP2 = {
    "a": (("ational", "ate"), ("tional", "tion")),
    "c": (("enci", "ence"), ("anci", "ance")),
    "e": (("izer", "ize"),),
    "l": (("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous")),
    "o": (("ization", "ize"), ("ation", "ate"), ("ator", "ate")),
    "s": (("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous")),
    "t": (("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")),
    "g": (("logi", "log"),),
}
#: The third step's (-ic-, -full, -ness ...), by the last letter.
_STEP3 = {
    "e": (("icate", "ic"), ("ative", ""), ("alize", "al")),
    "i": (("iciti", "ic"),),
    "l": (("ical", "ic"), ("ful", "")),
    "s": (("ness", ""),),
}
#: The fourth step's suffixes, taken off when the stem before them has m > 1 (by the letter
#: before the last; "ion" only after s or t).
_STEP4 = {
    "a": ("al",), "c": ("ance", "ence"), "e": ("er",), "i": ("ic",), "l": ("able", "ible"),
    "n": ("ant", "ement", "ment", "ent"), "o": ("ion", "ou"), "s": ("ism",), "t": ("ate", "iti"),
    "u": ("ous",), "v": ("ive",), "z": ("ize",),
}


def _consonant(word: str, i: int) -> bool:
    ch = word[i]
    if ch in _VOWELS:
        return False
    if ch == "y":
        return i == 0 or not _consonant(word, i - 1)
    return True


def _measure(stem: str) -> int:
    """m: how many vowel-consonant sequences ``stem`` has ([C](VC)^m[V])."""
    m = 0
    previous_vowel = False
    for i in range(len(stem)):
        vowel = not _consonant(stem, i)
        if previous_vowel and not vowel:
            m += 1
        previous_vowel = vowel
    return m


def _has_vowel(stem: str) -> bool:
    return any(not _consonant(stem, i) for i in range(len(stem)))


def _double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _consonant(word, len(word) - 1)


def _cvc(word: str) -> bool:
    """Ends consonant-vowel-consonant, the last not w, x or y (hop -> hope, not snow)."""
    n = len(word)
    return (n >= 3 and _consonant(word, n - 1) and not _consonant(word, n - 2) and _consonant(word, n - 3)
            and word[-1] not in "wxy")


def _step1(word: str) -> str:
    """Plurals, -ed and -ing."""
    if word.endswith("s"):
        if word.endswith("sses"):
            word = word[:-2]
        elif word.endswith("ies"):
            word = word[:-3] + "i"
        elif len(word) >= 2 and word[-2] != "s":
            word = word[:-1]
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
        return word
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and _has_vowel(word[:-len(suffix)]):
            word = word[:-len(suffix)]
            if word.endswith(("at", "bl", "iz")):
                return word + "e"
            if _double_consonant(word):
                return word if word[-1] in "lsz" else word[:-1]
            if _measure(word) == 1 and _cvc(word):
                return word + "e"
            return word
    return word


def _replace(word: str, rules: tuple[tuple[str, str], ...]) -> str:
    """The first rule whose suffix ``word`` ends with, applied if its stem has m > 0."""
    for suffix, replacement in rules:
        if word.endswith(suffix):
            stem = word[:-len(suffix)]
            return stem + replacement if _measure(stem) > 0 else word
    return word


def _step4(word: str) -> str:
    """-ant, -ence and the like, off a stem with m > 1."""
    for suffix in _STEP4.get(word[-2], ()):
        if word.endswith(suffix):
            stem = word[:-len(suffix)]
            if suffix == "ion" and not stem.endswith(("s", "t")):
                continue
            return stem if _measure(stem) > 1 else word
    return word


def _step5(word: str) -> str:
    """A final -e off (m > 1, or m = 1 and not cvc), and -ll to -l when m > 1."""
    if word.endswith("e"):
        m = _measure(word[:-1])
        if m > 1 or (m == 1 and not _cvc(word[:-1])):
            word = word[:-1]
    if word.endswith("ll") and _measure(word) > 1:
        word = word[:-1]
    return word


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """``word`` (lower case) stemmed as Lucene's PorterStemmer stems it; words of one or two
    letters are left as they are."""
    if len(word) <= 2:
        return word
    word = _step1(word)
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    if len(word) >= 2:
        word = _replace(word, _STEP2.get(word[-2], ()))
    word = _replace(word, _STEP3.get(word[-1], ()))
    if len(word) >= 2:
        word = _step4(word)
    return _step5(word)
