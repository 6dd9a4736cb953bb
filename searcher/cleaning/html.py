"""Main-content finding in HTML pages, by structure.

Stages of :func:`extract_html`:

1. parse with lxml's HTML parser (it mends malformed markup; control characters are stripped
   and the nesting limit lifted first); read the metadata from the head;
2. drop what is never article text (scripts, styles, forms, nav, aside, footer, and elements
   whose class or id says share/related/comments/newsletter...), noting their text as removed;
3. walk the body once, iteratively (10,000 nested divs must not hit Python's recursion limit),
   and cut it into text blocks (paragraphs, headings, list items) with their link density;
4. score containers the Readability way: every paragraph of prose gives points (one, plus one
   per comma, plus one per 100 characters) to its parent and half to its grandparent; link-heavy
   containers lose their points; from the best container climb to a wrapper that holds clearly
   more of the prose (an article split into columns or sections); it and its similar siblings
   are the article;
5. return the blocks inside the article as lines for the line rules' second pass.

When the tree has lost the page's text (libxml2 drops what lies below ~2,000 nested elements)
the tag-stripped source is used instead, without structure.

lxml is used directly rather than through BeautifulSoup: the structure pass walks every element
of every page, and BeautifulSoup's tree alone costs more than trafilatura's whole extraction.
BeautifulSoup stays as the fallback parser for documents lxml refuses.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..core.records import RemovedLine
from ..core.errors import SeedError
from .metadata import Metadata, html_metadata

logger = logging.getLogger(__name__)

# Never text a reader sees as the article.
_JUNK_TAGS = ("script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
              "button", "select", "input", "textarea", "option", "link", "meta", "head")
# Page furniture, with the label its text gets on ``removed``.
_CHROME_TAGS = {"nav": "navigation", "aside": "related", "footer": "footer", "form": "prompt",
                "figcaption": "photo", "menu": "navigation", "dialog": "prompt"}
# Class or id words that name chrome (matched as whole words of the attribute).
_CHROME_ATTR = re.compile(
    r"(?:^|[\s_-])(share|sharing|social|related|recirc|comments?|newsletter|promo|sidebar|cookie|"
    r"breadcrumbs?|subscribe|subscription|advert|advertisement|ad-?slot|ad-?container|dfp|outbrain|"
    r"taboola|popup|modal|signup|paywall|masthead|skip-link|author-bio|more-stories|read-more|"
    r"trending|most-popular|newsletter-signup|caption|credit|byline|tags?|toolbar|nav|navbar|menu|"
    r"footer|header-nav|site-header|disclaimer|is-hidden|d-none|visually-hidden|sr-only)(?:$|[\s_-])", re.I)
_CHROME_ATTR_LABEL = (("share", "share"), ("social", "share"), ("comment", "comments"), ("related", "related"),
                      ("newsletter", "prompt"), ("subscri", "prompt"), ("cookie", "cookie"), ("ad", "advertisement"),
                      ("caption", "photo"), ("credit", "photo"), ("byline", "byline"), ("footer", "footer"))
_BLOCK_TAGS = frozenset("p div section article main li ul ol dl dt dd blockquote pre h1 h2 h3 h4 h5 h6 "
                        "table tr td th tbody thead figure header address center body hr br".split())
# Elements whose own text is a paragraph for the scoring (Readability's candidates).
_PARAGRAPH_TAGS = frozenset(("p", "pre", "td", "blockquote", "li", "div", "section"))
# A paragraph shorter than this gives no points: captions, labels, buttons.
_MIN_PARAGRAPH_CHARS = 25
# Climb to the parent when it holds 30% more paragraph points (the rest of a split article)...
_CLIMB_GAIN = 1.3
# ...unless the parent is mostly links (a page of teasers around the article).
_CLIMB_MAX_LINKS = 0.3
# How far up to look for that parent (layout wrappers nest up to five or six deep).
_CLIMB_LEVELS = 6


@dataclass(slots=True)
class Block:
    """A run of text between two block boundaries, with the element it belongs to."""

    text: str
    element: Any
    link_chars: int = 0

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


@dataclass(slots=True)
class HtmlPage:
    """What the HTML pass hands to the line rules."""

    blocks: list[list[str]]
    metadata: Metadata
    removed: list[RemovedLine] = field(default_factory=list)
    #: True when a main-content container was found (the line pass then keeps its edges).
    structured: bool = True


def parse_html(html: str | bytes) -> Any:
    """An lxml HTML tree of the page; SeedError when there is no page to parse."""
    from lxml import etree
    from lxml import html as lxml_html

    if isinstance(html, bytes):
        from ..sources.seeds import decode_seed

        html = decode_seed(html, name="html page", kind="html")
    # lxml refuses str input that declares its own encoding, control characters and lone
    # surrogates; none of them is text a reader sees.
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    html = _CONTROL.sub("", html)
    if not html.isascii():
        html = html.encode("utf-8", "replace").decode("utf-8")
    if not html.strip():
        raise SeedError("empty HTML page: nothing to clean")
    try:
        # huge_tree lifts libxml2's nesting limit (255): without it, text below 255 nested
        # elements is silently dropped.
        return lxml_html.document_fromstring(html, parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        logger.debug("lxml could not parse the page (%s); trying BeautifulSoup", exc)
    try:
        import warnings

        from bs4 import BeautifulSoup

        with warnings.catch_warnings():  # bs4 warns about XML-looking input; we only want its text
            warnings.simplefilter("ignore")
            text = BeautifulSoup(html, "lxml").get_text("\n")
    except RecursionError:
        end = html.rfind(">") + 1  # past the last '>' no tag ends: the scan stays linear
        text = re.sub(r"<[^>]*>", "\n", html[:end]) + html[end:]
    if not text.strip():
        raise SeedError("HTML page without any text")
    return lxml_html.document_fromstring(f"<html><body><pre>{_escape(text)}</pre></body></html>")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        from lxml import html as lxml_html

        # huge_tree lifts libxml2's nesting limit (255); comments and processing instructions
        # are dropped while parsing, their neighbours' text joined ("When <!-- -->President"),
        # as trafilatura's own parser does: trafilatura reads this tree too.
        _PARSER = lxml_html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    return _PARSER


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _drop_chrome(body: Any) -> list[RemovedLine]:
    removed: list[RemovedLine] = []
    doomed: list[tuple[Any, str, str]] = []
    from lxml import etree

    # Comments go too, keeping their tails: lxml's iterwalk skips comments, tail text and all
    # ("When <!-- -->President" would lose "President").
    for el in body.iter(*_JUNK_TAGS, etree.Comment, etree.ProcessingInstruction):
        doomed.append((el, "", ""))
    for el in body.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _CHROME_TAGS:
            doomed.append((el, _CHROME_TAGS[tag], f"inside <{tag}>: page furniture"))
            continue
        if tag in ("body", "html", "article", "main"):
            continue
        attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
        if el.get("hidden") is not None or el.get("aria-hidden") == "true":
            doomed.append((el, "navigation", "hidden element"))
            continue
        match = _CHROME_ATTR.search(attrs) if attrs.strip() else None
        if match:
            word = match.group(1).lower()
            label = next((lab for key, lab in _CHROME_ATTR_LABEL if word.startswith(key)), "navigation")
            doomed.append((el, label, f"class/id '{word}' names page chrome"))
    done: set[int] = set()
    for el, label, reason in doomed:
        if id(el) in done or el.getparent() is None:
            continue
        if label:
            # An element holding most of a long article is the article, whatever its class says.
            paragraphs = sum(1 for p in el.iter("p") if len(p.text_content()) > 150)
            if paragraphs >= 3:
                continue
            text = " ".join(el.text_content().split())
            if text:
                removed.append(RemovedLine(text[:500], label, reason))
        for sub in el.iter():
            done.add(id(sub))
        _drop(el)
    return removed


def _drop(el: Any) -> None:
    """Remove ``el`` but keep its tail text (which belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def iter_blocks(root: Any) -> list[Block]:
    """The text blocks under ``root`` in document order, found with an iterative walk."""
    from lxml import etree

    blocks: list[Block] = []
    parts: list[str] = []
    link_chars = 0
    in_link = 0
    owner = [root]

    def flush(element: Any) -> None:
        nonlocal parts, link_chars
        text = " ".join("".join(parts).split())
        if text:
            blocks.append(Block(text, element, min(link_chars, len(text))))
        parts, link_chars = [], 0

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                flush(owner[-1])
                owner.append(el)
            if tag == "a":
                in_link += 1
            if el.text and tag:
                parts.append(el.text)
                if in_link:
                    link_chars += len(el.text.strip())
        else:
            if tag in _BLOCK_TAGS:
                flush(el)
                owner.pop()
            if tag == "a":
                in_link -= 1
            if el.tail:
                parts.append(el.tail)
                if in_link:
                    link_chars += len(el.tail.strip())
    flush(owner[-1])
    return blocks


def _score_containers(blocks: list[Block]) -> tuple[dict[Any, float], dict[Any, float]]:
    """Readability scores (parent, grandparent, great-grandparent) and, for every ancestor,
    the total points of the paragraphs below it."""
    scores: dict[Any, float] = {}
    totals: dict[Any, float] = {}
    for block in blocks:
        el = block.element
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in _PARAGRAPH_TAGS or len(block.text) < _MIN_PARAGRAPH_CHARS or block.link_density > 0.5:
            continue
        points = 1 + block.text.count(",") + block.text.count("、") + min(len(block.text) // 100, 3)
        parent = el if tag in ("div", "section", "td") else el.getparent()  # text right in a div
        for share in (1.0, 0.5, 0.25):
            if parent is None:
                break
            scores[parent] = scores.get(parent, 0.0) + points * share
            parent = parent.getparent()
        for ancestor in el.iterancestors():
            totals[ancestor] = totals.get(ancestor, 0.0) + points
    return scores, totals


def _link_density(el: Any, text_len: int) -> float:
    links = sum(len(a.text_content()) for a in el.iter("a"))
    return links / text_len if text_len else 1.0


def find_main(blocks: list[Block]) -> list[Any]:
    """The article's containers: the best-scoring one and its similar siblings."""
    scores, totals = _score_containers(blocks)
    if not scores:
        return []
    ranked = []
    for el, score in sorted(scores.items(), key=lambda kv: -kv[1])[:8]:
        text_len = len(el.text_content())
        ranked.append((score * (1 - _link_density(el, text_len)), el))
    best_score, best = max(ranked, key=lambda r: r[0])
    # An article split into several columns or sections: climb while the parent holds clearly
    # more prose than the node and is not a page of links.
    while True:
        base = totals.get(best) or scores.get(best, 0.0)
        target = None
        for level, ancestor in enumerate(best.iterancestors()):
            if level >= _CLIMB_LEVELS or ancestor.tag in ("body", "html"):
                break
            if totals.get(ancestor, 0.0) >= _CLIMB_GAIN * base:
                target = ancestor
                break
        if target is None or _link_density(target, len(target.text_content())) > _CLIMB_MAX_LINKS:
            break
        best = target
    parent = best.getparent()
    if parent is None:
        return [best]
    # Siblings that score like an article part too (a split body, a lead paragraph).
    threshold = max(10.0, best_score * 0.2)
    main = []
    for sibling in parent:
        if not isinstance(sibling.tag, str):
            continue
        if sibling is best:
            main.append(sibling)
        elif scores.get(sibling, 0.0) * (1 - _link_density(sibling, len(sibling.text_content()) or 1)) >= threshold:
            main.append(sibling)
        elif isinstance(sibling.tag, str) and sibling.tag == "p":
            text = sibling.text_content()
            if len(text) > 80 and _link_density(sibling, len(text)) < 0.25:
                main.append(sibling)
    return main


_MIN_TREE_TEXT = 200
# The fallback below takes out, in this order: what is never text (a <script> up to its
# </script>), block tags (a line break each), every other tag and comment. As regular
# expressions (`<(script|...)\b.*?</\1\s*>`, `</?(p|div|...)\b[^>]*>`, `<!--.*?-->|<[^>]*>`)
# each costs the square of the page on a page of openers that are never closed (`<script>`
# repeated: 800 KB took over a minute): from every opener the scan runs to the end of the page
# and fails. The functions below remove exactly what those substitutions remove, and never
# look for the same closer twice.
_SKIPPED_TAGS = ("script", "style", "noscript", "template", "svg")
_BLOCK_TAG = re.compile(r"</?(p|div|br|li|h[1-6]|tr|td|section|article|blockquote|pre|ul|ol|table)\b[^>]*>", re.I)


@lru_cache(maxsize=None)
def _skip_opener(tags: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"<({'|'.join(tags)})\b", re.I)


@lru_cache(maxsize=None)
def _skip_closer(tag: str) -> re.Pattern[str]:
    return re.compile(rf"</{re.escape(tag)}\s*>", re.I)


def _drop_skipped(html: str) -> str:
    """``html`` with each <script>, <style>, <noscript>, <template> and <svg> element (up to
    its first closing tag) replaced by a space; an opener never closed stays."""
    out: list[str] = []
    kept = pos = 0
    tags: tuple[str, ...] = _SKIPPED_TAGS  # the tags that may still have a closer ahead
    # The first closer of each tag at or after the position it was looked for from.
    closers: dict[str, re.Match[str] | None] = {}
    while tags and (opener := _skip_opener(tags).search(html, pos)) is not None:
        name = opener.group(1)
        # re.I matches 'ſcript' too: such a spelling is looked up as itself.
        tag = name.lower() if name.lower() in _SKIPPED_TAGS else name
        closer = closers.get(tag)
        if tag not in closers or closer is not None and closer.start() < opener.end():
            closer = closers[tag] = _skip_closer(tag).search(html, opener.end())
        if closer is None:  # none after this opener, so none after a later one
            if tag in tags:
                tags = tuple(t for t in tags if t != tag)
                pos = opener.start()
            else:
                pos = opener.start() + 1
            continue
        out += (html[kept:opener.start()], " ")
        kept = pos = closer.end()
    out.append(html[kept:])
    return "".join(out)


def _break_blocks(html: str) -> str:
    """Every block tag (``<p ...>``, ``</div>``) replaced by a line break."""
    # A tag ends at a '>': past the last one nothing matches, and before it every opener that
    # matches runs to the next '>', so the scan never goes over the same text twice.
    end = html.rfind(">") + 1
    return _BLOCK_TAG.sub("\n", html[:end]) + html[end:]


_ANY_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_TAG = re.compile(r"<[^>]*>")


def _drop_tags(html: str) -> str:
    """Every comment (``<!-- ... -->``) and tag (``<...>``) taken out."""
    # Up to the end of the last '-->' every comment ends and every tag meets a '>', and each
    # scan ends where its match does. After it no comment ends: only tags, up to the last '>'.
    comments = html.rfind("-->") + 3 if "-->" in html else 0
    rest = html[comments:]
    tags = rest.rfind(">") + 1
    return _ANY_TAG.sub("", html[:comments]) + _TAG.sub("", rest[:tags]) + rest[tags:]


def rough_text_blocks(html: str) -> list[str]:
    """The page's text by regular expressions alone: no tree, so no depth limit."""
    import html as html_lib

    text = _drop_skipped(html)
    text = _break_blocks(text)
    text = html_lib.unescape(_drop_tags(text))
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def extract_html(html: str | bytes) -> HtmlPage:
    """Parse an HTML page and cut it to its main content, as blocks of lines."""
    return extract_tree(parse_html(html), html)


def extract_tree(tree: Any, html: str | bytes) -> HtmlPage:
    """Cut a parsed page (:func:`parse_html`; the tree is changed) to its main content.

    ``html`` is the page's source, read again without the tree when the tree lost its text.
    """
    try:
        metadata = html_metadata(tree)
    except RecursionError:  # pragma: no cover - lxml's own walk is iterative
        metadata = Metadata()
    body = tree.find("body")
    if body is None:
        body = tree
    removed = _drop_chrome(body)
    blocks = iter_blocks(body)
    if sum(len(b.text) for b in blocks) < _MIN_TREE_TEXT and isinstance(html, str):
        # libxml2 drops what lies below ~2,000 nested elements, and a broken page can lose
        # its text in the parse; the tags-stripped source is the fallback.
        rough = rough_text_blocks(html)
        if sum(len(t) for t in rough) > sum(len(b.text) for b in blocks):
            logger.debug("HTML tree lost the page's text; using the tag-stripped source")
            return HtmlPage([[t] for t in rough], metadata, removed, structured=False)
    main = find_main(blocks)
    if not main:
        return HtmlPage([[b.text] for b in blocks], metadata, removed, structured=False)
    inside: set[int] = set()
    for container in main:
        inside.update(id(el) for el in container.iter())
    kept: list[list[str]] = []
    for block in blocks:
        if id(block.element) not in inside:
            removed.append(RemovedLine(block.text, "navigation", "outside the page's main content container"))
        elif block.link_density > 0.6 and len(block.text) < 200:
            removed.append(RemovedLine(block.text, "navigation", "mostly link text"))
        else:
            kept.append([block.text])
    return HtmlPage(kept, metadata, removed, structured=True)
