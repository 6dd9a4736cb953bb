"""Stop words per language and a small language guesser built on them.

Stop-word density is what tells prose from chrome on a captured page (jusText's main signal):
a paragraph of prose is full of "the", "of", "und", "que"; a menu or a list of headlines is not.
The lists are short on purpose: the 60-120 most frequent function words of each language are
enough for a density, and a short list keeps the check fast.
"""

from __future__ import annotations

import re
from collections import Counter

_LISTS = {
    "en": """a about above after again against all also am an and any are as at be because been
        before being below between both but by can could did do does doing down during each few for
        from further had has have having he her here hers him his how i if in into is it its itself
        just me more most my no nor not now of off on once only or other our out over own same she
        should so some such than that the their them then there these they this those through to too
        under until up very was we were what when where which while who whom why will with would you
        your said says has""",
    "de": """aber alle allem allen aller alles als also am an ander andere auch auf aus bei bin bis
        bist da damit dann das dass dein dem den der des dich die dies diese dieser dir doch dort du
        durch ein eine einem einen einer eines er es etwas euch für gegen hat hatte hier hin hinter
        ich ihm ihn ihr im in ist jede jetzt kann kein man mich mir mit muss nach nicht noch nun nur
        ob oder ohne sehr sein seine sich sie sind so über um und uns unter vom von vor war waren
        was weil wenn werden wie wieder will wir wird wo zu zum zur zwischen""",
    "fr": """au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me
        même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes
        toi ton tu un une vos votre vous est sont été être avoir a ont fait plus comme cette tout""",
    "es": """a al algo como con contra cual cuando de del desde donde dos el ella ellos en entre era
        es esa ese eso esta este esto fue ha hay la las le les lo los más me mi muy no nos o para pero
        por porque que quien se ser si sin sobre son su sus también te tiene todo tu un una uno y ya""",
    "pt": """a ao aos as até com como da das de dela dele do dos e é ela ele eles em entre era essa
        esse esta está este eu foi for foram há isso isto já lhe mais mas me mesmo meu minha muito na
        não nas nem no nos nós o os ou para pela pelo por qual quando que quem se sem ser seu sua são
        também te tem um uma você""",
    "it": """a ad al alla alle anche che chi ci come con contro cui da dal dalla dei del della delle
        di dove e è ed era gli ha hanno i il in io la le lei lo loro lui ma mi ne nei nel nella non
        noi o per perché più quale quando quella quello questa questo se si sia sono su sua sue suo
        sul sulla tra un una uno""",
    "nl": """aan al als bij dan dat de der deze die dit door een en er had heb heeft het hij hoe ik
        in is je kan maar me met mij na naar niet nog nu of om onder ons ook op over te tot u uit
        van veel voor was wat we wel werd wie wij worden zal ze zich zij zijn zo""",
    "id": """ada adalah agar akan aku anda antara apa atau bagi bahwa banyak beberapa belum bisa
        dalam dan dari dengan di dia hal hanya harus ia ini itu jika juga kami kata ke kepada kita
        lagi lebih maka mereka pada para saat sangat saja sebagai sebuah secara sedang sehingga
        seperti serta setelah sudah tak tapi telah tentang tersebut tidak untuk yaitu yang""",
    "ru": """а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да
        даже для до его ее если есть еще же за здесь и из или им их к как ко когда кто ли либо мне
        может мы на над надо наш не него нее нет ни них но ну о об однако он она они оно от очень по
        под при с со так также такой там те тем то того тоже только том ты у уже хотя чего чей чем
        что чтобы это этого этой эти я""",
}

#: language code -> frozenset of lower-case stop words.
STOPWORDS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in _LISTS.items()}

_WORD = re.compile(r"\w+")
# Speed: an ASCII text's word characters (\w) are [A-Za-z0-9_], so mapping every other byte
# to a space and splitting finds the same words as _WORD, several times faster (as bytes, so
# the stop-word lists are kept as bytes too). Every line of every page is counted this way.
_ASCII_NON_WORD = bytes(c for c in range(128) if not (chr(c).isalnum() or chr(c) == "_"))
_ASCII_WORD_TABLE = bytes.maketrans(_ASCII_NON_WORD, b" " * len(_ASCII_NON_WORD))
_STOPWORDS_ASCII: dict[str, frozenset[bytes]] = {
    lang: frozenset(w.encode("ascii") for w in stop if w.isascii()) for lang, stop in STOPWORDS.items()}


# Typographic punctuation that keeps much Latin-script text from being ASCII; none of it is a
# word character, so a space in its place leaves the words as they are.
_PUNCTUATION = ("’", "”", "“", "—", "–", "‘", "©", "•", "…", "»", "«", "°", "®", "™")


def _ascii_words(text: str) -> list[bytes]:
    """``_WORD.findall(text)`` for an ASCII ``text``, as bytes."""
    return text.encode("ascii").translate(_ASCII_WORD_TABLE).split()


def _words(lower: str) -> tuple[list[str] | list[bytes], bool]:
    """``_WORD.findall(lower)``, and whether the words are bytes (from ASCII text, the fast way)."""
    if not lower.isascii():
        spaced = lower
        for mark in _PUNCTUATION:
            if mark in spaced:
                spaced = spaced.replace(mark, " ")
        if not spaced.isascii():
            return _WORD.findall(lower), False
        lower = spaced
    return _ascii_words(lower), True
_SCRIPTS = (
    ("ja", re.compile("[\u3040-\u30ff]")),          # kana is only Japanese
    ("ko", re.compile("[\uac00-\ud7af\u1100-\u11ff]")),
    ("zh", re.compile("[\u4e00-\u9fff]")),
    ("ru", re.compile("[\u0400-\u04ff]")),          # Cyrillic: Russian is by far the likeliest
    ("ar", re.compile("[\u0600-\u06ff]")),
    ("el", re.compile("[\u0370-\u03ff]")),
    ("he", re.compile("[\u0590-\u05ff]")),
    ("th", re.compile("[\u0e00-\u0e7f]")),
)
_LETTER = re.compile(r"[^\W\d_]")
_NON_LATIN = re.compile("[^\x00-\u024f\u1e00-\u1eff]")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def words(text: str) -> list[str]:
    """The lower-cased word tokens of ``text``."""
    return _WORD.findall(text.lower())


def cjk_count(text: str) -> int:
    """How many CJK (kana, ideographs, Hangul) characters ``text`` holds."""
    return len(_CJK.findall(text))


def stopword_density(text: str, language: str | None, *, lower: str | None = None) -> float | None:
    """Share of the words of ``text`` that are stop words, or None when we have no list.

    For Japanese, kana plays the part of function words (particles and endings are written in
    hiragana), so its share of the characters stands in for the density. ``lower``: ``text``
    lower-cased, when the caller has it already.
    """
    if language == "ja":
        letters = len(_LETTER.findall(text))
        return len(re.findall("[\u3040-\u309f]", text)) / letters if letters else 0.0
    stop = STOPWORDS.get(language or "")
    if stop is None:
        return None
    tokens, as_bytes = _words(text.lower() if lower is None else lower)
    if as_bytes:
        stop = _STOPWORDS_ASCII[language]  # type: ignore[index,assignment]
    if not tokens:
        return 0.0
    return sum(map(stop.__contains__, tokens)) / len(tokens)


def detect_language(text: str) -> str | None:
    """Guess a page's language from its script, then from stop words; None when unsure."""
    sample = text[:6000]
    letters = sum(map(str.isalpha, sample))
    if letters < 20:
        return None
    non_latin = len(_NON_LATIN.findall(sample))
    for lang, pattern in _SCRIPTS if non_latin > 0.15 * letters else ():
        # A script counts when it is a real share of the letters, not a stray quotation.
        if len(pattern.findall(sample)) > 0.15 * letters:
            if lang == "zh" and len(_SCRIPTS[0][1].findall(sample)) > 0.02 * letters:
                return "ja"
            return lang
    tokens, as_bytes = _words(sample.lower())
    if len(tokens) < 10:
        return None
    # Each language's stop words among the tokens, counted from the distinct tokens once.
    counts = Counter(tokens)
    lists = _STOPWORDS_ASCII if as_bytes else STOPWORDS
    scores = sorted(((sum(map(counts.__getitem__, stop.intersection(counts))) / len(tokens), lang)
                     for lang, stop in lists.items() if lang != "ru"), reverse=True)
    (best, lang), (second, _) = scores[0], scores[1]
    # Prose has 30-50% stop words; demand a clear lead so a menu of names stays None.
    if best >= 0.12 and best >= 1.3 * second:
        return lang
    return None
