"""Line rules as data: what a line of page chrome looks like, and why it is chrome.

Each :class:`LineRule` is a pattern, a label (``video``, ``photo``, ``share``...) and a one-line
reason. Rules describe the *shape* of chrome (a running time at the end of a line, a credit line,
a call to action, a copyright notice), never one site's strings, and most only apply to short
lines: a long sentence that happens to contain "share" or "cookie" is prose.

The rules here look at one line alone. Rules that need the lines around it (a teaser just before
a running time, a caption beside a credit line, repeated lines) live in :mod:`searcher.cleaning.lines`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

try:  # the regex parser, to read which characters an anchored rule can start with
    import re._constants as _sre
    import re._parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from .languages import cjk_count

I = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class LineRule:
    """One kind of chrome line: ``pattern`` must match and the line must be short enough."""

    label: str
    reason: str
    pattern: re.Pattern[str]
    #: The rule only applies to lines of at most this many words (None: any length).
    max_words: int | None = 12
    #: False: a line that ends like a sentence is prose that mentions the thing, not chrome.
    sentences_too: bool = True
    #: Speed gate: the (lower-cased) line must contain one of these strings for the pattern to run.
    needs: tuple[str, ...] = ()

    def applies(self, line: str, n_words: int) -> bool:
        """The word limit and the sentence test (not the needs, not the pattern)."""
        if self.max_words is not None and n_words > self.max_words:
            return False
        return self.sentences_too or not _SENTENCE_END.search(line)

    def matches(self, line: str, n_words: int) -> bool:
        """Whether the rule fires on ``line`` (already lower-cased) of ``n_words`` words."""
        if self.max_words is not None and n_words > self.max_words:
            return False
        if self.needs and not any(map(line.__contains__, self.needs)):
            return False
        if not self.sentences_too and _SENTENCE_END.search(line):
            return False
        return self.pattern.search(line) is not None


_SENTENCE_END = re.compile(r"[.!?。！？]\W{0,2}$")
SENTENCE_END_CHARS = frozenset(".!?。！？…»\"”’')]")
CJK_RUN = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")


def _rule(label: str, reason: str, regex: str, max_words: int | None = 12, *,
          sentences_too: bool = True, needs: tuple[str, ...] = ()) -> LineRule:
    # Patterns are written in lower case and matched against the lower-cased line:
    # case-sensitive matching is several times faster than re.IGNORECASE.
    return LineRule(label, reason, re.compile(regex), max_words, sentences_too, needs)


def _then(first: str, last: str) -> str:
    """A pattern that finds ``first``, then anything, then ``last`` (``first.*last``).

    Searched as ``first.*last``, a line holding ``first`` many times and no ``last`` costs the
    square of its length: from every ``first`` the ``.*`` runs to the end of the line and back.
    Anchored, a dot that stops at the first ``first`` starts the match there, so the line is
    walked once. It finds the same lines as ``first.*last`` as long as ``first`` never begins
    inside another of its own matches (the earliest ``first`` then leaves ``last`` the most
    room) and the line holds no line break (``.`` stops at ``\\n``; lines never hold one).
    """
    return rf"^(?:(?!{first}).)*{first}.*{last}"


# Agencies and stock libraries whose names make up photo credits.
_AGENCIES = (r"getty images|shutterstock|istock(?:photo)?|reuters|associated press|\bap photo\b|"
             r"\bafp\b|\bepa\b|bloomberg|alamy|unsplash|pexels|wikimedia|flickr|"
             r"picture alliance|dpa|xinhua|anadolu|sipa|rex features|pa images|imago")
_AGENCY_NEEDS = ("getty", "shutterstock", "istock", "reuters", "associated press", "ap photo", "afp", "epa",
                 "bloomberg", "alamy", "unsplash", "pexels", "wikimedia", "flickr", "picture alliance", "dpa",
                 "xinhua", "anadolu", "sipa", "rex features", "pa images", "imago")
_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
# Month names of the languages the cleaner has stop words for (besides English's, which _MONTH
# covers with most of these): a date line is a date line in any of them.
_MONTH_ANY = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|okt|dez|mai|mei|juin|juil|août|déc|"
              r"fév|avr|ene|abr|ago|dic|fev|out|gen|mag|giu|lug|set|ott|agu|des|"
              r"янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек)[^\W\d_]*\.?")
# A calendar date: 19 November 2019, Nov. 19, 2019, 22 de outubro de 2010, 2019-11-19, 19.11.2019,
# 2016.12.01, 2019年11月19日. Digits are never glued to it (a phone number is no date).
_DATE = (rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?{_MONTH_ANY},?\s+(?:de\s+)?\d{{4}}|"
         rf"{_MONTH_ANY}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|"
         rf"\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{4}}|\d{{4}}\s*[年년]\s*\d{{1,2}}\s*[月월]\s*\d{{1,2}})(?:(?!\d)|(?<=\d{{4}})(?=\d{{1,2}}:\d\d))")
_BYLINE_LEAD = r"(?:by|von|por|di|oleh|par|door|от|автор|text|текст|written by|posted by|reported by)"

#: The reason of the rule for a reader's comment header: a strong sign the comments have begun.
COMMENT_HEADER_REASON = "a reader's comment header ('NAME on DATE at TIME said:')"

#: Rules tried in order; the first that matches labels the line.
RULES: tuple[LineRule, ...] = (
    # --- byline / dateline (before the photo rules: "By Jane Doe | Agency" and "Reuters Nov. 18, 2019"
    # are bylines and dates, not credits) -------------------------------------------------------------------
    _rule("byline", "a contributor credit ('... contributed to this report')",
          r"\bcontributed (to )?(this )?(report|reporting|story)\b", max_words=25, needs=("contributed",)),
    _rule("byline", "an author's bio line ('Jane Doe is a reporter for ...')",
          r"^[\w.'’ -]{3,40} is (a|an|the) ([\w-]+ ){0,5}(reporter|writer|correspondent|editor|journalist|"
          r"contributor|columnist|producer|author|reviewer)\s+(for|at|with|of)\b", max_words=50,
          needs=(" is ",)),
    _rule("byline", "a byline: 'By' and a name",
          rf"^{_BYLINE_LEAD}\s*[:\s]\s*[\w@.'’-]+", max_words=9),
    _rule("byline", "a byline with its date or time ('By Jane Doe Updated Nov. 19, 2019 8:21 am ET')",
          rf"^{_BYLINE_LEAD}\s*[:\s]\s*[\w@.'’-]+.*(?:(?:19|20)\d\d|\d:\d\d)", max_words=30),
    _rule("dateline", "a publication or update date line",
          r"^(published|updated|posted|last updated|modified|created|date|veröffentlicht|aktualisiert|"
          r"publicado|atualizado|pubblicato|aggiornato|diterbitkan|опубликовано|обновлено)\b[^.!?]{0,30}"
          r"(\d{4}|\d{1,2}:\d{2}|ago)", max_words=20),
    _rule("dateline", "a line that is only a date (and maybe a time)",
          rf"^\W*(?:[\w:-]+,?\s+){{0,2}}{_DATE}[^!?]{{0,60}}$", max_words=12, needs=("19", "20")),
    _rule("dateline", "a relative time stamp (3 hours ago)",
          r"^\W*(\d+|an?|one)\s+(sec|second|min|minute|hour|hr|day|week|month|year)s?\s+ago\W*$",
          needs=("ago",)),
    _rule("dateline", "a reading-time note",
          r"^\d+\s*(min|minute)s?\s*(read|de leitura|lettura|lesezeit)\b", max_words=6),
    # --- video -----------------------------------------------------------------------------
    _rule("video", "ends with a running time (11:21): a video teaser, not prose",
          r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?\s*$", max_words=30, needs=(":",)),
    _rule("video", "a media player message or caption label",
          r"^(media (caption|playback)|video caption|watch( the)? video|play video|now playing|up next"
          r"|video( duration)?\s*\d|video$|watch live\b|\(video\)$)"),
    _rule("video", "a line that only announces a video",
          r"^(video|watch)\s*[:|]", max_words=20),
    # --- photo -----------------------------------------------------------------------------
    _rule("photo", "an image credit or caption label",
          r"^\(?(image|photo|picture|photograph|foto|bild|credit|source|illustration)s?"
          r"\s*(copyright|caption|credit|by|source)?\s*[:©|]", max_words=16),
    _rule("photo", "an image credit or caption label",
          r"^(image|photo|picture) (copyright|caption|credit)\b", max_words=40),
    _rule("photo", "names a photo agency in a short line: a credit",
          _AGENCIES, max_words=10, sentences_too=False, needs=_AGENCY_NEEDS),
    _rule("photo", "a 'Name/Agency' or 'Name | Agency' credit line (names hold no digits)",
          r"^[^\W\d_][^\W\d_.'’ -]*(?:[.'’ -]+[^\W\d_]*){0,5}\s?[/|]\s?[^\W\d][\w.'’& -]{1,39}"
          r"(\s?[/|]\s?[\w.'’& -]{2,40})?$", max_words=8, needs=("/", "|")),
    _rule("photo", "a gallery counter (1 of 12), alone or leading a caption",
          r"^\d+\s*(of|/)\s*\d+($|(?=[^\W\d_]))", max_words=80),
    _rule("photo", "ends with 'Credit: Name': a caption",
          r"\b(credit|credits|photo|foto|bild|image)\s*:\s*[^\W\d_][\w .,'’&/-]{0,50}$", max_words=80,
          needs=("credit", "photo", "foto", "bild", "image")),
    _rule("photo", "ends with an agency credit ('... / AP file'): a caption",
          r"[/|]\s*(ap|afp|reuters|getty images|epa|bloomberg|shutterstock|xinhua|dpa|ap photo)"
          r"(\s+(file|photo|images|via getty images))?\s*$", max_words=80, needs=("/", "|")),
    _rule("photo", "ends with a credit in brackets: '(Image: Getty)', '(Photo: AP)'",
          r"[(\[](image|photo|picture|foto|credit|source|pic|video)s?\s*(credit)?\s*:[^)\]]{1,40}[)\]]$",
          max_words=40, needs=("(", "[")),
    # --- share / social ----------------------------------------------------------------------
    _rule("share", "a share counter ('Shares', '1.2K shares')",
          r"^[\d.,k ]*shares?\s*[\d.,k]*$", max_words=3),
    _rule("share", "a share or social-network button",
          r"^(share|tweet|pin it|e-?mail|print|whatsapp|facebook|twitter|linkedin|pinterest|reddit|"
          r"messenger|telegram|flipboard|copy( this)? link|copied|bookmark|instagram|youtube|"
          r"tiktok)\b[^.!?]{0,40}$", max_words=7),
    _rule("share", "talks about sharing or external links",
          r"(share (this|on|via)|about sharing|external links?|open in a new (window|tab)"
          r"|follow us|follow (him|her|me) on|share panel)", max_words=14, sentences_too=False,
          needs=("share", "external link", "new window", "new tab", "follow")),
    # --- cookie / consent --------------------------------------------------------------------
    _rule("cookie", "a cookie or consent notice",
          r"(we use cookies|cookie (policy|settings|preferences|notice|consent)|accept (all )?cookies|"
          r"(manage|your|cookie) consent|consent (preferences|settings|manager)|\bgdpr\b|do not sell my)",
          max_words=40, needs=("cookie", "consent", "gdpr", "do not sell")),
    # --- advertisement -----------------------------------------------------------------------
    _rule("advertisement", "an ad slot label",
          r"^(advertisement|advertising|ad|ads|sponsored( content)?|adchoices|anzeige|реклама|"
          r"publicidade|pubblicità|story continues( below)?( advertisement)?|continue reading( below| the main story)?"
          r"|paid (content|post)|partner content|promoted( content)?)\W*$"),
    # --- comments ----------------------------------------------------------------------------
    _rule("navigation", "a feed link (RSS, Atom)",
          r"\b(rss|atom|feeds?)\b", max_words=4, needs=("rss", "atom", "feed")),
    _rule("comments", "a short line about comments: the comment section starts",
          r"\b(comments?|kommentare?|commenti|comentários?|komentar|комментари\w*|コメント|댓글)\b", max_words=6,
          sentences_too=False, needs=("comment", "kommentar", "коммент", "コメント", "댓글", "komentar")),
    _rule("comments", COMMENT_HEADER_REASON,
          r"^[^\W\d_].{1,80}\b(?:said|says|wrote|replied|sagte|schrieb|disse|escreveu|dijo|escribió|a écrit|"
          r"написал|написала)\s*:\s*$", max_words=20,
          needs=("said", "says", "wrote", "replied", "sagte", "schrieb", "disse", "escreveu", "dijo", "escribió",
                 "a écrit", "написал")),
    _rule("comments", "a comment count or comment prompt",
          r"^(\d+\s+)?(comments?|replies|reply|leave a (comment|reply)|add a comment|post a comment|"
          r"join the (conversation|discussion)|show comments|view comments|comment(s)? \(\d+\)|"
          r"kommentare?|commenti|comentários?|комментари\w*)\b", max_words=8),
    # --- prompt: calls to action, newsletters, apps, notifications ----------------------------
    _rule("prompt", "asks the reader to sign up for newsletters or alerts",
          r"\b(newsletters?|unsubscribe|subscribe (to|for|now|today)|to your inbox|breaking news alerts?|"
          r"sign up for|delivered (to you|to your|weekday|daily)|(browser|push) notifications|"
          r"notifications (for|about|on))\b",
          max_words=30, needs=("newsletter", "subscri", "inbox", "alert", "sign up", "delivered", "notification")),
    _rule("prompt", "a newsletter or subscription call to action",
          r"\b(newsletters?|subscribe|subscription|sign up|signup|inbox|get (the|our) app|"
          r"download (the|our)|notifications?|unlock|free trial|already a subscriber|log ?in|sign ?in|"
          r"create (an|your) account|my account)\b", max_words=14, sentences_too=False,
          needs=("news", "subscri", "sign", "inbox", "app", "download", "notification", "unlock", "trial",
                 "log", "account")),
    _rule("prompt", "an app or browser prompt ending in a button word ('... App Open', 'Chrome Continue')",
          _then(r"\b(?:app|apps|browser|chrome|safari|firefox|edge|opera|play store|app store)\b",
                r"\b(?:open|continue|install|download|get|ok)$"), max_words=6,
          needs=("app", "browser", "chrome", "safari", "firefox", "edge", "opera", "store")),
    _rule("prompt", "asks to be told first: a notification prompt",
          r"\b(be the first to know|never miss a|stay (informed|up to date|in the know))\b", max_words=12,
          needs=("first to know", "never miss", "stay ")),
    _rule("prompt", "'click here' to do something",
          r"^(click|tap) here\b", max_words=15),
    _rule("prompt", "a short imperative call to action (Watch, Open, Continue, Download...)",
          r"^((watch|view|listen|download|install|continue( reading)?|learn more|read more|see more|show more|"
          r"load more|see all|view all|read full|full article|enable|allow|turn on|dismiss|accept|skip|"
          r"back to top|go to|explore|open (in|the)|get (the|our|it|this|a free|started|alerts)|"
          r"join (us|now|the|our))\b[^.!?]*|more|close)$",
          max_words=6),
    _rule("related", "a link to another story, led by 'Read more:' or 'See also:'",
          r"^(read more|see also|also read|read also|related( posts?| articles?| stories| links?| reading)?|"
          r"more|don'?t miss|must read|recommended|"
          r"leia (também|mais)|leggi anche|lies auch|baca juga|читайте также)\s*[:|>»]", max_words=30),
    _rule("related", "an excerpt cut off with an ellipsis: a teaser for another page",
          r"(\[(…|\.\.\.)\]|[^\W\d_](…|\.\.\.))$", max_words=60, needs=("…", "...")),
    # --- related ----------------------------------------------------------------------------
    _rule("related", "a heading that introduces links to other stories",
          r"^(related|related (articles?|stories|coverage|content|topics|posts|links|news)|"
          r"more (on|in|from|about|stories|news|like this)\b.*|see also|also read|read also|"
          r"recommended( for you)?|you (may|might) (also )?like|most (read|popular|viewed|shared)|"
          r"top stories|trending( now)?|latest( news| stories| videos)?|popular|editor'?s picks|don'?t miss|"
          r"what to read next|further reading|lies auch|leia (também|mais)|leggi anche|"
          r"baca (juga|selengkapnya)|читайте также|関連記事)\W*$"),
    # --- footer ------------------------------------------------------------------------------
    _rule("footer", "a copyright notice",
          r"(©|\(c\)\s*\d{4}|copyright\s+(©\s*)?\d{4}|all rights reserved|alle rechte vorbehalten|"
          r"todos os direitos reservados|tutti i diritti riservati|все права защищены|無断転載)",
          max_words=40, needs=("©", "(c)", "copyright", "rights", "rechte", "direitos", "diritti", "права", "無断")),
    _rule("footer", "legal boilerplate: trademarks, disclaimers, terms of the site",
          r"(registered trademarks? of|are trademarks of|all other trademarks|this website|use of this site|"
          r"not intended to diagnose|without (our )?(prior )?written permission|may not be (re)?published)",
          max_words=90, needs=("trademark", "site", "diagnose", "permission", "published")),
    _rule("footer", "a legal or site-information link",
          r"^(terms( of (use|service|sale))?|privacy( policy| notice| settings)?|contact( us)?|about( us)?|"
          r"site ?map|careers|help|faq|accessibility( help)?|imprint|impressum|datenschutz|"
          r"advertise( with us)?|rss|feedback|disclaimer|corrections|legal|jobs)\W*$", max_words=5),
    # --- navigation --------------------------------------------------------------------------
    _rule("navigation", "a skip link",
          r"^skip (to|navigation)\b", max_words=6),
    _rule("navigation", "a menu, search or paging control",
          r"^(menu|main menu|search|home|homepage|navigation|toggle navigation|sections|close|"
          r"close menu|open menu|previous|next|prev|back|page \d+( of \d+)?|top)\W*$", max_words=4),
    _rule("navigation", "a breadcrumb trail (Home > News > World)",
          r"^[^.!?]{1,40}(\s[>»›|/]\s[^.!?]{1,40}){2,}$", max_words=14,
          needs=(" > ", " » ", " › ", " | ", " / ")),
    _rule("navigation", "a list of tags or topics",
          r"^(tags?|topics?|filed under|categories|category|schlagwörter|тэги|теги)\s*:", max_words=30),
)

def word_count(line: str) -> int:
    """Words in a line; CJK text has no spaces, so two CJK characters count as one word."""
    if line.isascii() or not CJK_RUN.search(line):
        return len(line.split())
    cjk = cjk_count(line)
    spaced = len(CJK_RUN.sub(" ", line).split())
    return spaced + (cjk + 1) // 2


# Pages of one site repeat the same menus, footers and prompts line for line, so an archive
# asks about the same short lines again and again: the answers for short lines are kept
# (20,000 lines of at most 200 characters: a few MB).
CACHE_LINES = 20_000
CACHED_LINE_CHARS = 200


def clear_cache() -> None:
    """Forget remembered rule matches (``lines.clear_cache`` forgets line features too)."""
    _match_cached.cache_clear()


# ---- speed: which rules can fire on a line --------------------------------------------------
# Every line of every page is asked about every rule, so the question is cut down before any
# rule's own pattern runs, always to the same answer as trying the rules one by one in order:
# - a rule only fires on lines of at most ``max_words`` words: a line's word count picks the
#   rules still in play (no rule at all for a long paragraph);
# - an anchored rule can only match when the line starts with one of the characters its pattern
#   can start with: the first character picks the anchored rules to try, and those are joined
#   into one alternation tried once at position 0 (alternatives are tried in order, so the first
#   rule that matches wins, as in a loop);
# - a gated rule runs only when the line holds one of its ``needs``: one regex per set of rules
#   (a trie of the needed strings) answers in a single C-level scan whether any of them occurs,
#   and only then a second scan tells which rules' needs are there.
# tests/cleaning/test_cleaner.py checks the answers against trying every rule in order.


def trie_pattern(strings: Iterable[str]) -> str:
    """A regex matching any of ``strings``, factored on common prefixes (faster than a flat |)."""
    words = sorted(set(strings))
    tail = ""
    if "" in words:
        words.remove("")
        tail = "?"
        if not words:
            return ""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    alternatives = []
    for char, rests in groups.items():
        rest = trie_pattern(rests)
        alternatives.append(re.escape(char) + (f"(?:{rest})" if "|" in rest or rest.endswith("?") else rest))
    joined = "|".join(alternatives)
    return f"(?:{joined}){tail}" if tail or len(alternatives) > 1 else joined


def _needs_regex(needs: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern whose ``search`` tells whether a line holds any of ``needs`` (None: no needs)."""
    needs = set(needs)
    # A string that holds another needed string adds nothing to a "holds any" test.
    needs = {need for need in needs if not any(other != need and other in need for other in needs)}
    return re.compile(trie_pattern(needs)) if needs else None


# Stands for every decimal digit (\d) in a set of first characters: a line that starts with
# one (str.isdecimal, the same test as \d) is looked up under this key.
_DIGIT = "digit"


def _first_chars(items: Any) -> tuple[frozenset[str] | None, bool]:
    """(characters a match of parsed pattern ``items`` can start with, None for any; whether it
    can match the empty string). Anything not understood answers None: try the rule always."""
    first: set[str] = set()
    for op, av in items:
        chars, nullable = _first_chars_op(op, av)
        if chars is None:
            return None, False
        first |= chars
        if not nullable:
            return frozenset(first), False
    return frozenset(first), True


def _first_chars_op(op: Any, av: Any) -> tuple[frozenset[str] | None, bool]:
    if op is _sre.LITERAL:
        return frozenset(chr(av)), False
    if op is _sre.AT:  # ^, \b: zero width
        return frozenset(), True
    if op is _sre.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        return _first_chars(body) if not add_flags and not del_flags else (None, False)
    if op is _sre.BRANCH:
        first: set[str] = set()
        nullable = False
        for branch in av[1]:
            chars, empty = _first_chars(branch)
            if chars is None:
                return None, False
            first |= chars
            nullable = nullable or empty
        return frozenset(first), nullable
    if op is _sre.IN:
        first = set()
        for item, value in av:
            if item is _sre.LITERAL:
                first.add(chr(value))
            elif item is _sre.RANGE and value[1] - value[0] < 256:
                first.update(map(chr, range(value[0], value[1] + 1)))
            elif item is _sre.CATEGORY and value is _sre.CATEGORY_DIGIT:
                first.add(_DIGIT)
            else:  # a negated set, another category (\w, \s): any character
                return None, False
        return frozenset(first), False
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        low, _high, body = av
        chars, nullable = _first_chars(body)
        return (None, False) if chars is None else (chars, nullable or low == 0)
    return None, False


def _starts(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The characters a line must start with for anchored ``pattern`` to match, None: any."""
    chars, nullable = _first_chars(_sre_parse.parse(pattern.pattern, pattern.flags))
    return None if nullable or pattern.flags & re.IGNORECASE else chars


_NO_RULE = len(RULES)
_ANCHORED = [i for i, rule in enumerate(RULES) if rule.pattern.pattern.startswith("^") and not rule.needs]
_FLOATING = [i for i, rule in enumerate(RULES) if i not in _ANCHORED]
_STARTS = {i: _starts(RULES[i].pattern) for i in _ANCHORED}


def _max_words(i: int) -> float:
    words = RULES[i].max_words
    return float("inf") if words is None else words


def _alternation(indices: tuple[int, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?P<r{i}>{RULES[i].pattern.pattern})" for i in indices)) if indices else None


# Lines longer than every rule's limit are never chrome by a single-line rule.
_LONGEST = max(_max_words(i) for i in range(len(RULES)))
# The anchored rules to try, by first character (rules whose start is not known are in all).
_ANY_START = tuple(i for i in _ANCHORED if _STARTS[i] is None)
_ANCHORED_BY_START: dict[str, tuple[tuple[int, ...], re.Pattern[str] | None]] = {}
for _char in sorted(set().union(*(chars for chars in _STARTS.values() if chars)) | {_DIGIT}):
    if _char != _DIGIT and _char.isdecimal():
        continue  # a line starting with a digit looks under _DIGIT
    _indices = tuple(i for i in _ANCHORED if _STARTS[i] is None or _char in _STARTS[i]  # type: ignore[operator]
                     or _char == _DIGIT and any(c == _DIGIT or c.isdecimal() for c in _STARTS[i]))  # type: ignore[union-attr]
    _ANCHORED_BY_START[_char] = (_indices, _alternation(_indices))
_ANCHORED_OTHER = (_ANY_START, _alternation(_ANY_START))
_ANCHORED_ALL = (tuple(_ANCHORED), _alternation(tuple(_ANCHORED)))


@dataclass(frozen=True)
class _FloatingRules:
    """The floating rules in play for a line of some length, and the two scans over their needs."""

    indices: tuple[int, ...]
    #: ``search``: whether the line holds any of their needs (None: none has needs).
    gate: re.Pattern[str] | None
    #: ``findall``: at every position, the longest needed string that starts there (the trie
    #: prefers the longer branch); every needed string that starts there is a prefix of it.
    needs_at: re.Pattern[str] | None
    #: For each needed string: the rules that need it or one of its prefixes.
    rules_needing: dict[str, frozenset[int]]
    ungated: frozenset[int]
    longest_need: int

    def gated(self, line: str, start: int = 0) -> frozenset[int]:
        """The rules whose ``needs`` ``line`` holds (from ``start``), and those without needs."""
        if self.needs_at is None:
            return self.ungated
        return self.ungated.union(*map(self.rules_needing.__getitem__, set(self.needs_at.findall(line, start))))


def _floating_for(n: int) -> _FloatingRules:
    """The floating rules that apply to a line of ``n`` words."""
    indices = tuple(i for i in _FLOATING if n <= _max_words(i))
    needs = sorted({need for i in indices for need in RULES[i].needs})
    return _FloatingRules(
        indices, _needs_regex(needs), re.compile(f"(?=({trie_pattern(needs)}))") if needs else None,
        {found: frozenset(i for i in indices if any(found.startswith(need) for need in RULES[i].needs))
         for found in needs},
        frozenset(i for i in indices if not RULES[i].needs), max(map(len, needs), default=0))


# Floating rules by word count; a line past the table uses the last entry.
_FLOATING_LIMITS = sorted({int(_max_words(i)) for i in _FLOATING if RULES[i].max_words is not None})
_FLOATING_BY_LIMIT = {limit: _floating_for(limit) for limit in _FLOATING_LIMITS}
_FLOATING_BY_WORDS = [_FLOATING_BY_LIMIT[min(lim for lim in _FLOATING_LIMITS if lim >= n)]
                      for n in range(_FLOATING_LIMITS[-1] + 1)]
_FLOATING_LONG = _floating_for(_FLOATING_LIMITS[-1] + 1)


def match_rule(line: str, n_words: int | None = None) -> LineRule | None:
    """The first rule that says ``line`` is chrome, or None."""
    n = word_count(line) if n_words is None else n_words
    if n > _LONGEST:
        return None
    if len(line) <= CACHED_LINE_CHARS:
        return _match_cached(line.lower(), n)
    return _match_lower(line.lower(), n)


def match_lower(line: str, n_words: int) -> LineRule | None:
    """:func:`match_rule` for a line already lower-cased, with its word count; not cached."""
    return _match_lower(line, n_words) if n_words <= _LONGEST else None


def _match_lower(line: str, n: int) -> LineRule | None:
    first = _NO_RULE
    if line:
        char = line[0]
        anchored, alternation = _ANCHORED_BY_START.get(_DIGIT if char.isdecimal() else char, _ANCHORED_OTHER)
    else:
        anchored, alternation = _ANCHORED_ALL
    match = alternation.match(line) if alternation is not None else None
    if match is not None:
        # The branch that matched is the first of these rules whose pattern fits the line; the
        # ones after it are tried only when its word limit or sentence test rules it out.
        start = int(match.lastgroup[1:])  # type: ignore[index]
        if RULES[start].applies(line, n):
            first = start
        else:
            for i in anchored[anchored.index(start) + 1:]:
                if RULES[i].matches(line, n):
                    first = i
                    break
    bucket = _FLOATING_BY_WORDS[n] if n < len(_FLOATING_BY_WORDS) else _FLOATING_LONG
    floating = bucket.indices
    if not floating or floating[0] >= first:
        return RULES[first] if first < _NO_RULE else None
    if bucket.ungated or bucket.gate is None:
        gated = bucket.gated(line)
    else:
        found = bucket.gate.search(line)
        if found is None:
            return RULES[first] if first < _NO_RULE else None
        # The gate found the first needed string that holds no other; a longer one holding it
        # can start a little before it.
        gated = bucket.gated(line, max(0, found.start() - bucket.longest_need + 1))
    ends_sentence: bool | None = None
    for i in floating:
        if i >= first:
            break
        if i not in gated:
            continue
        rule = RULES[i]  # RULES[i].matches, inlined: this loop runs for many lines of every page
        if not rule.sentences_too:
            if ends_sentence is None:
                ends_sentence = _SENTENCE_END.search(line) is not None
            if ends_sentence:
                continue
        if rule.pattern.search(line):
            first = i
            break
    return RULES[first] if first < _NO_RULE else None


_match_cached = lru_cache(maxsize=CACHE_LINES)(_match_lower)
