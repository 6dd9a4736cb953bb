"""Seed -> Document: the public entry points of the cleaner.

Stages of :func:`clean_text` (a text capture: only the lines are left):

1. normalise Unicode (:func:`searcher.core.textnorm.normalize_text`);
2. split into blocks (blank-line separated) of lines;
3. guess the language (script, then stop words), which picks the stop-word list;
4. label every line body / heading / chrome (:mod:`searcher.cleaning.lines`, rules in
   :mod:`searcher.cleaning.rules`);
   then a second look by a line model with learned weights, which also decides where the
   article starts and ends (:mod:`searcher.cleaning.line_model`);
5. pick the headline near the article's start (:mod:`searcher.cleaning.titles`; a page too
   short to have a run of prose keeps every line no rule calls chrome), and move the article's
   start up to it (:mod:`searcher.cleaning.article_bounds`: a list, a table or a short opening
   between the headline and the first run of prose is the article's);
6. read metadata from the chrome that was cut (site name, byline, date line);
7. assemble the Document: kept lines as paragraphs, every other line on ``removed``.

:func:`clean_html` parses the page (:mod:`searcher.cleaning.html`), reads its metadata from the
head, takes trafilatura's main text cut at its edges to where our structure pass agrees
(:mod:`searcher.cleaning.consensus`; a page too large or deep for trafilatura, or
``first_stage="structure"``, gets the structure pass with the line rules as a second pass), runs
stages 3 and 5-7 on it, and takes the page's JSON-LD ``articleBody`` instead when the visible
text is clearly only part of it.

The rule tables compile a few hundred regular expressions, so the modules that hold them are
imported on the first clean: ``import searcher`` (and every search) does not pay for them.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.records import Document, RemovedLine
from ..sources.seeds import DEFAULT_MAX_BYTES, read_seed, seed_kind
from ..core.textnorm import normalize_text

if TYPE_CHECKING:
    from .consensus import AgreementSettings
    from .text_models import TextModels
    from .metadata import Metadata
    from .lines import Line

# Line labels (as in searcher.cleaning.lines) that the assembly step looks at.
BODY, HEADING, TITLE = "body", "heading", "title"
_HEADLINE_REASON = "the headline: the line that stands, sits and reads like the article's title"

logger = logging.getLogger(__name__)

# Chrome labels whose lines can name the site ("Watch CBS News", "© 2019 BBC"); captions and
# teasers name people and places instead.
_SOURCE_LABELS = {"prompt", "navigation", "footer", "share", "short", "related", "cookie", "comments"}


def clean_text(text: str, doc_id: str = "document", *, path: str | None = None,
               content_hash: str | None = None, models: TextModels | None = None) -> Document:
    """Clean a text capture of a page into a Document.

    The hand rules' labels get a second look from :mod:`searcher.cleaning.line_model`, and the
    headline is picked by :mod:`searcher.cleaning.titles` (weights fitted and cross-validated
    by ``benchmarks/cleaner_eval.py``, stored as data); ``models`` replaces the stored weights
    (the benchmark's folds pass theirs) or turns the line model off.
    """
    from .article_bounds import extend_to_headline
    from .metadata import Metadata, source_from_chrome
    from .text_models import TextModels
    from .titles import pick_headline

    models = models or TextModels()
    lines, span, language = label_text_lines(text)                # 1-4
    if models.line_model:
        from .line_model import apply_line_model

        span = apply_line_model(lines, span, models.lines(), whole_run=True)
    rescued = _rescue_short_page(lines)
    title = pick_headline(lines, language, models.titles())      # 5
    if title is None and rescued is not None:
        title = next(i for i, line in enumerate(lines) if line is rescued)
    if title is not None:
        lines[title].label, lines[title].reason = TITLE, _HEADLINE_REASON
        extend_to_headline(lines, title, span, models.bounds)
    meta = Metadata(title=lines[title].text if title is not None else "", language=language)
    _metadata_from_lines(meta, lines, title)                      # 6
    meta.source = source_from_chrome([ln.text for ln in lines if ln.label in _SOURCE_LABELS
                                      and ln.words <= _SOURCE_LINE_WORDS])
    return assemble(doc_id, lines, meta, path=path, content_hash=content_hash)  # 7


def clear_caches() -> None:
    """Forget every answer the cleaner keeps for lines it has seen (benchmarks call it between
    timing passes, so each pass starts cold)."""
    from .lines import clear_cache
    from .titles import clear_cache as clear_titles

    clear_cache()
    clear_titles()


_FIRST_STAGES = ("trafilatura", "structure")


def label_text_lines(text: str) -> tuple[list[Line], tuple[int, int], str | None]:
    """Stages 1-4 of :func:`clean_text`: the capture's lines labelled by the hand rules, the
    main run of prose and the language."""
    from .languages import detect_language
    from .lines import label_lines, make_lines

    text = normalize_text(text)                                   # 1
    blocks = [block.split("\n") for block in re.split(r"\n\s*\n", text)]  # 2
    language = detect_language(_prose_sample(text))                # 3
    lines = make_lines(blocks, language)
    span = label_lines(lines)                                     # 4
    return lines, span, language


def clean_html(html: str | bytes, doc_id: str = "document", *, path: str | None = None,
               content_hash: str | None = None, agreement: AgreementSettings | None = None,
               first_stage: str = "trafilatura") -> Document:
    """Clean a raw HTML page into a Document.

    ``first_stage``: "trafilatura" (its main text, trimmed where our structure pass disagrees
    at the edges: :mod:`searcher.cleaning.consensus`) or "structure" (our structure pass and
    the line rules alone). ``agreement`` tunes the edge check (the benchmark's cross-validation
    sets it; the default is what that picked).
    """
    from .consensus import DEFAULT_SETTINGS, agree, trafilatura_lines
    from .html import extract_tree, parse_html
    from .metadata import Metadata
    from .languages import detect_language
    from .lines import label_lines, make_lines, pick_title

    if first_stage not in _FIRST_STAGES:
        raise ValueError(f"first_stage must be one of {', '.join(_FIRST_STAGES)}, not {first_stage!r}")
    tree = parse_html(html)
    # trafilatura reads a copy, so it runs before the structure pass changes the tree.
    main_lines = trafilatura_lines(tree) if first_stage == "trafilatura" else None
    page = extract_tree(tree, html)
    meta = page.metadata
    ours = [t for block in page.blocks for t in block]
    if main_lines is not None:
        main = agree(main_lines, ours, agreement or DEFAULT_SETTINGS)
        text_lines = main.lines
        page.removed = _removed_beside(page.removed, ours, main.lines) + main.trimmed
    else:
        text_lines = ours
    # Pages declare the wrong language often enough (a German post under lang="en") that the
    # text's own evidence wins when it is clear; the declaration fills in when it is not.
    detected = detect_language(_prose_sample("\n".join(text_lines)))
    language = detected or meta.language
    meta.language = language
    if main_lines is not None:
        lines = make_lines([[normalize_text(t)] for t in text_lines], language)
        for line in lines:
            line.label, line.reason = BODY, "in the main text trafilatura and our structure pass agree on"
    else:
        lines = make_lines([[normalize_text(t) for t in block] for block in page.blocks], language)
        label_lines(lines, structured=page.structured)
    lines = _prefer_json_ld_body(lines, meta, language)
    title_key = _key(meta.title)
    for line in lines:
        if title_key and _key(line.text) == title_key:
            line.label, line.reason = TITLE, "the headline (matches the page's title)"
    rescued_title = _rescue_short_page(lines)
    if not meta.title:
        title_line = pick_title(lines) or rescued_title
        if title_line is not None:
            title_line.label, title_line.reason = TITLE, _HEADLINE_REASON
            meta.title = title_line.text
    meta.title = normalize_text(meta.title)
    fallback = Metadata()
    _metadata_from_lines(fallback, lines)
    if main_lines is not None and not (meta.published and meta.authors):
        # trafilatura's text rarely holds the byline and date lines; our main content often does.
        from .lines import apply_line_rules

        probe = make_lines([[normalize_text(t)] for t in ours], language)
        apply_line_rules(probe)
        _metadata_from_lines(fallback, probe)
    meta.published = meta.published or fallback.published
    meta.authors = meta.authors or fallback.authors
    doc = assemble(doc_id, lines, meta, path=path, content_hash=content_hash)
    doc.removed = page.removed + doc.removed
    return doc


def _removed_beside(removed: list[RemovedLine], ours: list[str], kept: list[str]) -> list[RemovedLine]:
    """What the page lost beside trafilatura's main text: what our structure pass cut (with its
    reason) unless trafilatura kept it, and what our pass kept but trafilatura did not."""
    from .consensus import TextIndex

    index = TextIndex(kept)
    out = [r for r in removed if not index.holds(r.text)]
    out += [RemovedLine(t, "navigation", "not in the page's main text as trafilatura found it")
            for t in ours if not index.holds(t)]
    return out


def clean_file(path: str | os.PathLike[str], doc_id: str | None = None, *,
               max_bytes: int | None = DEFAULT_MAX_BYTES) -> Document:
    """Read and clean one seed file (.txt capture or .html page).

    ``doc_id`` defaults to the file's name (``X.txt``), the id `searcher index` gives a seed
    at the top of the seeds folder. No time limit applies here (the cleaner is linear in the
    page's size, about 0.3 s per MB of prose); `searcher index` stops a seed after
    ``searcher.indexing.cleaning_pool.SEED_BUDGET_SECONDS`` of CPU and skips it.
    """
    p = Path(path)
    text, digest = read_seed(p, max_bytes=max_bytes)
    doc_id = doc_id or p.name
    cleaner = clean_html if seed_kind(p) == "html" else clean_text
    return cleaner(text, doc_id, path=str(p), content_hash=digest)


# Site names sit in short chrome lines ("Watch CBS News", "© 2019 BBC").
_SOURCE_LINE_WORDS = 10
# The language is read from the longest lines: prose, not the menu above it.
_SAMPLE_LINES = 20
_SAMPLE_CHARS = 3000  # a few paragraphs settle a language; more only costs time


def _prose_sample(text: str) -> str:
    return "\n".join(sorted(text.split("\n"), key=len, reverse=True)[:_SAMPLE_LINES])[:_SAMPLE_CHARS]


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# The JSON-LD articleBody replaces the extracted text when it is half again as long (a
# visible text that is only part of the article; a little longer is usually captions) and holds
# nearly all of the extracted words: paywalled and "expand to read" pages put the whole
# article there while the visible HTML has a part of it.
_JSON_LD_GAIN = 1.5
_JSON_LD_OVERLAP = 0.8


def _prefer_json_ld_body(lines: list[Line], meta: Metadata, language: str | None) -> list[Line]:
    from .lines import Line, make_lines

    article_body = normalize_text(meta.article_body or "")
    kept = [ln.text for ln in lines if ln.label in (BODY, HEADING)]
    extracted = " ".join(kept)
    if len(article_body) < _JSON_LD_GAIN * max(len(extracted), 1):
        return lines
    ld_words = set(re.findall(r"\w+", article_body.lower()))
    words = re.findall(r"\w+", extracted.lower())
    if words and sum(1 for w in words if w in ld_words) < _JSON_LD_OVERLAP * len(words):
        return lines
    if not words and len(article_body) < 200:
        return lines
    replaced = [Line(ln.text, ln.block, ln.words, ln.sentence, ln.stop, ln.kind, "superseded",
                     "replaced by the page's JSON-LD articleBody, which holds more of the article")
                if ln.label in (BODY, HEADING) else ln for ln in lines]
    paragraphs = [p for p in re.split(r"\n\s*\n|\n", article_body) if p.strip()]
    new_lines = make_lines([[p] for p in paragraphs], language)
    for line in new_lines:
        line.label, line.reason = BODY, "from the page's JSON-LD articleBody"
    return replaced + new_lines


# Positional labels: given for where a line sits, not for what it says. On a page with no run
# of prose (a short note, a one-paragraph brief) position means nothing, so they are undone.
_POSITIONAL = {"short", "navigation", "footer"}
# A first line this short, not ending like a sentence, is the note's headline.
_NOTE_TITLE_WORDS = 15


def _rescue_short_page(lines: list[Line]) -> Line | None:
    """Never empty a page: with no body at all, keep the lines no rule calls chrome.

    Returns the headline among them (the first line, if headline-shaped), or None.
    """
    if any(ln.label in (BODY, HEADING) for ln in lines):
        return None
    kept = [ln for ln in lines if ln.rule is None and ln.label in _POSITIONAL]
    for line in kept:
        line.label, line.reason = BODY, "a page with no run of prose: kept what no rule calls chrome"
    if len(kept) >= 2 and kept[0].words <= _NOTE_TITLE_WORDS and not kept[0].text.endswith((".", ",", ":", ";")):
        return kept[0]
    return None


def _metadata_from_lines(meta: Metadata, lines: list[Line], title: int | None = None) -> None:
    """Authors from byline lines, the date from a date line that parses: those nearest the
    headline (or the article's start) first, since a page also shows today's date in its
    header and readers' comments' dates below. With no byline, a name alone on a line beside
    the date line is the author ("Jane Doe" / "Nov. 19, 2019")."""
    from .metadata import authors_from_byline, parse_date

    anchor = title if title is not None else next(
        (i for i, ln in enumerate(lines) if ln.label in (BODY, HEADING)), 0)
    header = [i for i, ln in enumerate(lines) if ln.label == "byline" or ln.label == "dateline"]
    for i in sorted(header, key=lambda k: (abs(k - anchor), k))[:_HEADER_LINES]:
        line = lines[i]
        if not meta.authors:  # a byline, or a date line that ends "by Jane Doe"
            meta.authors = authors_from_byline(line.text)
        if meta.published is None and (date := parse_date(line.text)) is not None:
            meta.published = date
            if not meta.authors:
                meta.authors = _name_beside(lines, i, title)


# The byline and date lines nearest the headline that are read (readers' comments further down
# hold dozens of dates).
_HEADER_LINES = 8


def _name_beside(lines: list[Line], date: int, title: int | None) -> list[str]:
    """The name on the line just above or below the date line (a one-word line, a section's
    name, may sit between), not the headline and not a line of the article."""
    from .metadata import authors_from_byline, is_name_line

    near = [k for k in (date - 1, date + 1) if 0 <= k < len(lines)]
    near += [k + (k - date) for k in near if lines[k].words == 1 and 0 <= k + (k - date) < len(lines)]
    for k in near:
        line = lines[k]
        if k != title and line.label not in (BODY, HEADING) and line.rule is None and is_name_line(line.text):
            return authors_from_byline(line.text)
    return []


def assemble(doc_id: str, lines: list[Line], meta: Metadata, *, path: str | None,
             content_hash: str | None) -> Document:
    """The Document: kept lines as paragraphs, headings also in ``sections``."""
    paragraphs: list[str] = []
    sections: list[str] = []
    removed: list[RemovedLine] = []
    for line in lines:
        if line.label in (BODY, HEADING):
            paragraphs.append(line.text)
            if line.label == HEADING:
                sections.append(line.text)
        else:
            removed.append(RemovedLine(line.text, line.label or "short", line.reason))
    if not paragraphs and not meta.title:
        logger.debug("%s: no article text found", doc_id)
    return Document(doc_id=doc_id, title=meta.title, body="\n\n".join(paragraphs), source=meta.source,
                    sections=sections, published=meta.published, authors=meta.authors, url=meta.url,
                    path=path, language=meta.language, removed=removed, content_hash=content_hash)
