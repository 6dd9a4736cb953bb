"""Every search, from query to page, the same way on every engine.

:func:`search` checks the options and the query, parses it, has the backend rank a window
of candidates, folds near-duplicates (:mod:`.duplicates`), cuts the page, has the backend
read the stored documents of that page only, and makes snippets, explanations, facets and
the did-you-mean. :func:`similar` does the same for an article's key terms. What needs an
engine's index is asked of a :class:`~.backend.SearchBackend`; nothing here knows Whoosh
or OpenSearch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Generic

from ..core.errors import QueryError
from ..core.records import Hit, Results, ScorePart, guessed_title
from .backend import Copy, Key, Plan, SearchBackend, Stored, Window
from .duplicates import Signature, are_copies, collapse
from .explain import explanation_lines
from .filters import SearchFilter, make_filter
from .limits import Deadline, check_query
from .options import SearchOptions
from .query_text import is_plain, query_words
from .snippets import SpanFinder, make_snippet, render, split_marks
from .suggestions import SUGGEST_BELOW, SUGGEST_MAX_WORDS, corrected_query

if TYPE_CHECKING:
    from . import query_tree as qt
    from .hybrid import HybridRanking
    from .query_parser import ParsedQuery

#: What ``similar`` has no use for: an article's likes are not filtered, sorted, parsed,
#: counted, explained or expanded. Set, they are a QueryError rather than ignored.
NOT_FOR_SIMILAR = ("sort", "source", "since", "until", "syntax", "facets", "explain", "expand", "mode")

Backend = SearchBackend[Any, Any]
#: A backend's ``rank``, or one that takes something out of its windows.
Rank = Callable[[Any, int, Deadline], Window[Any]]


def search(backend: Backend, query: str, options: SearchOptions) -> Results:
    """One page of ranked hits for ``query``; QueryError for a query or option that cannot run."""
    started = time.perf_counter()
    options = options.checked()
    check_query(query)
    deadline = Deadline(options.seconds)
    filt = make_filter(options.source, options.since, options.until)
    # Asked only when the ranking may use it: a keyword search never reads the vectors.
    dense = backend.dense() if options.mode != "keyword" else None
    mode = "keyword"
    if dense is not None or options.mode not in (None, "keyword"):
        from .hybrid import resolved_mode

        mode = resolved_mode(options.mode, dense, backend.no_dense(), options.sort)
    tree = None
    parsed: "ParsedQuery | None" = None
    if options.syntax and not is_plain(query):
        # Imported here: most searches are plain words, and a cold `searcher search` should
        # not pay for building the parser's tables and the tree's classes.
        from .query_parser import parse_query

        parsed = parse_query(query, syntax=True, index_fields=backend.query_fields, dialect=backend.dialect)
        plan = backend.structured(parsed, options, filt, deadline)
        tree = parsed.tree if plan.searched_as_words is None else None
    else:
        plan = backend.words(query, options, filt)
    hybrid = None
    rank: Rank = backend.rank
    if mode != "keyword" and dense is not None:
        hybrid = _hybrid(backend, dense, query, tree, options, filt, deadline, mode)
        rank = hybrid.rank
    copies = _Copies(backend)
    window, entries, folded = _ranked(plan, deadline, copies, rank)
    deadline.check("ranking the matches")
    results = Results(query=query, hits=_page(backend, plan, window, entries, copies, deadline, hybrid),
                      total=window.total, page=options.page, limit=options.limit,
                      searched_as_words=plan.searched_as_words, copies=folded, undated=window.undated)
    if options.facets and window.total:
        results.facets = _facets(backend, plan)
    # A misspelt word finds nothing by keywords, however much the semantic side finds.
    if (window.total if hybrid is None else hybrid.keyword_total) < SUGGEST_BELOW:
        results.suggestion = _suggestion(backend, query, deadline)
        deadline.check("looking for a spelling suggestion")
    if not window.total:
        from .empty import empty_reason  # only a search that found nothing needs it

        results.empty_reason = empty_reason(query, parsed, backend.analyse)
    results.seconds = time.perf_counter() - started
    return results


def similar(backend: Backend, doc_id: str, options: SearchOptions) -> Results:
    """The articles most like ``doc_id`` (its key terms as a weighted query), itself excluded.

    With ``options.collapse`` copies of the article itself are left out too (they are the
    same article, not one like it; counted in ``Results.copies``), and copies among the
    rest fold as in a search.
    """
    started = time.perf_counter()
    options = _similar_options(options)
    deadline = Deadline(options.seconds)
    key, plan = backend.like(doc_id, options)
    results = Results(query=f"like:{doc_id}", hits=[], total=0, page=options.page, limit=options.limit)
    if plan is not None:
        copies = _Copies(backend)
        own: list[Hashable] = []
        rank: Rank = backend.rank
        if options.collapse:
            copies.read([key])
            signature = copies.signature(key)

            def rank_others(plan: Plan, limit: int, deadline: Deadline) -> Window[Any]:
                # The article's own copies are taken out before folding; the window grows
                # past them as past any copy.
                found = backend.rank(plan, limit, deadline)
                copies.read([k for _, k in found.order])
                own[:] = [k for _, k in found.order if are_copies(signature, copies.signature(k))]
                found.order = [(s, k) for s, k in found.order if k not in own]
                found.total -= len(own)
                return found

            rank = rank_others
        window, entries, folded = _ranked(plan, deadline, copies, rank)
        results.hits = _page(backend, plan, window, entries, copies, deadline)
        results.total = window.total + len(own)
        results.copies = folded + len(own)
    results.seconds = time.perf_counter() - started
    return results


def _hybrid(backend: Backend, dense: Any, query: str, tree: "qt.Node | None", options: SearchOptions,
            filt: SearchFilter | None, deadline: Deadline, mode: str) -> HybridRanking:
    """The semantic or hybrid ranking of a search: the dense side searched with the query's
    positive words, its candidates held to what the query says besides words."""
    from . import query_tree as qt
    from .hybrid import HybridRanking, filter_tree, positive_words
    from .query_parser import ParsedQuery

    text = " ".join(positive_words(tree)) if tree is not None else query
    restrict = filter_tree(tree)
    filter_plan = None
    if restrict is not None or filt is not None:
        filter_plan = backend.structured(ParsedQuery(query, restrict or qt.MatchAll(), None), options, filt,
                                         deadline)
    return HybridRanking(backend, dense, text or query, filter_plan, mode, backend.settings.semantic_weight)


def _similar_options(options: SearchOptions) -> SearchOptions:
    """The options, checked; QueryError for one that ``similar`` has no use for."""
    given = [f.name for f in fields(SearchOptions)
             if f.name in NOT_FOR_SIMILAR and getattr(options, f.name) != f.default]
    if given:
        raise QueryError(f"similar does not take {', '.join(given)}: it ranks the articles that share "
                         "the article's key words")
    return options.checked()


# ---------------------------------------------------------------------------- ranking, folding


@dataclass(slots=True)
class _Entry(Generic[Key]):
    """One hit to show: its score and key, and the keys of the copies folded into it."""

    score: float
    key: Key
    copies: list[Key] = field(default_factory=list)


class _Copies:
    """The doc ids and signatures of ranked documents, asked of the backend once per
    window for the keys not read yet, and kept for the search."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.found: dict[Any, Copy] = {}

    def read(self, keys: Sequence[Any]) -> dict[Any, Copy]:
        wanted = [k for k in dict.fromkeys(keys) if k not in self.found]
        if wanted:
            self.found.update(self.backend.copies(wanted))
        return self.found

    def signature(self, key: Any) -> Signature | None:
        found = self.found.get(key)
        return found.signature if found else None

    def doc_id(self, key: Any) -> str:
        found = self.found.get(key)
        return found.doc_id if found else str(key)


def _ranked(plan: Plan, deadline: Deadline, copies: _Copies, rank: Rank
            ) -> tuple[Window[Any], list[_Entry[Any]], int]:
    """The ranking, its hits in order (copies folded into the best-ranked one when
    ``options.collapse``) and how many were folded."""
    options = plan.options
    if not options.collapse:
        window = rank(plan, options.wanted, deadline)
        return window, [_Entry(score, key) for score, key in window.order], 0
    last: list[Window[Any]] = []

    def keys(limit: int) -> tuple[list[Any], int]:
        # Ranking more costs more (feedback re-scores every ranked hit), so each window is
        # ranked as asked, and the signatures of its new keys read in one go.
        deadline.check("ranking the matches")
        last[:] = [rank(plan, limit, deadline)]
        found = [key for _, key in last[0].order]
        copies.read(found)
        return found, last[0].total

    groups, folded = collapse(keys, copies.signature, options.wanted)
    window = last[0]
    scores = {key: score for score, key in window.order}
    return window, [_Entry(scores[g.key], g.key, g.copies) for g in groups], folded


# ---------------------------------------------------------------------------- the page


def _page(backend: Backend, plan: Plan, window: Window[Any], entries: list[_Entry[Any]], copies: _Copies,
          deadline: Deadline, hybrid: "HybridRanking | None" = None) -> list[Hit]:
    """The hits of the requested page: stored fields, snippets, folded copies, explanations.

    Ranks follow the hits shown: a document deleted between ranking and reading is left
    out without a gap in the numbers.
    """
    options = plan.options
    page = entries[options.first:options.wanted]
    if not page:
        return []
    stored = backend.stored(plan, [e.key for e in page], texts=options.fragments > 0)
    settings = backend.settings
    hits: list[Hit] = []
    for entry in page:
        found = stored.get(entry.key)
        if found is None:
            continue
        hit = _hit(found, options.first + len(hits) + 1, entry.score, options, backend.find_spans)
        hit.duplicates = [copies.doc_id(k) for k in entry.copies]
        deadline.check("making the snippets")
        if options.explain and hybrid is not None:
            _explain_mix(hit, backend, plan, window, hybrid, entry.key)
        elif options.explain:
            parts = window.why.get(entry.key)
            if parts is None:
                parts = backend.explain(plan, entry.key, entry.score)
            hit.score_parts = parts
            words = set(plan.words) if plan.words is not None else None
            tiered = words is not None and settings.tiers(len(words))
            hit.explanation = explanation_lines(entry.score, parts, sorted_by_date=options.by_date,
                                                all_words_first=sorted(words) if words and tiered and parts else None)
        hits.append(hit)
    return hits


def _explain_mix(hit: Hit, backend: Backend, plan: Plan, window: Window[Any], hybrid: "HybridRanking",
                 key: Any) -> None:
    """A mixed hit's explanation: the mix, its keyword part and its semantic part, then the
    keyword score's own lines. ``score_parts`` are the two parts of the mix (they add up)."""
    from .hybrid import mix_lines

    mixed = hybrid.mix.get(key)
    if mixed is None:
        return
    weight = hybrid.weight
    hit.score_parts = [ScorePart("semantic", hybrid.dense.model, weight * mixed.semantic)]
    if hybrid.mode == "semantic":
        hit.score_parts = [ScorePart("semantic", hybrid.dense.model, mixed.score)]
    else:
        hit.score_parts.insert(0, ScorePart("keyword", "", (1 - weight) * mixed.keyword))
    hit.explanation = mix_lines(mixed, weight, hybrid.mode)
    if mixed.keyword_score is not None:
        parts = window.why.get(key)
        if parts is None:
            parts = backend.explain(plan, key, mixed.keyword_score)
        lines = explanation_lines(mixed.keyword_score, parts, sorted_by_date=False)
        hit.explanation += ["         the keyword score:"] + ["    " + line for line in lines]


def _hit(stored: Stored, rank: int, score: float, options: SearchOptions, find_spans: SpanFinder) -> Hit:
    snippet = text = ""
    matches: list[tuple[int, int]] = []
    if options.fragments:
        marked = make_snippet(stored.body, stored.title, stored.marks, find_spans,
                              fragments=options.fragments, context=options.context)
        snippet = render(marked, options.highlight)
        text, matches = split_marks(marked)
    # A document with no confident headline (title_guessed) is listed by its first words.
    return Hit(rank=rank, doc_id=stored.doc_id, title=stored.title or guessed_title(stored.body),
               title_guessed=not stored.title, score=float(score),
               source=stored.source or None, published=stored.published, path=stored.path, url=stored.url,
               snippet=snippet, snippet_text=text, matches=matches)


# ---------------------------------------------------------------------------- facets, did-you-mean


def _facets(backend: Backend, plan: Plan) -> dict[str, dict[str, int]]:
    """Hit counts by source and by month, most first (ties: sources by name, case aside;
    months by month)."""
    counts = backend.facet_counts(plan)
    return {"source": dict(sorted(counts.sources.items(), key=lambda kv: (-kv[1], kv[0].strip().lower(), kv[0]))),
            "month": dict(sorted(counts.months.items(), key=lambda kv: (-kv[1], kv[0])))}


def _suggestion(backend: Backend, query: str, deadline: Deadline) -> str | None:
    """The query with each unknown word replaced by the backend's correction, or None.

    A pasted text (more than SUGGEST_MAX_WORDS words) gets none; words shorter than three
    letters and numbers are never corrected.
    """
    words = query_words(query)
    if len(words) > SUGGEST_MAX_WORDS:
        return None
    wanted = [w for w in dict.fromkeys(words) if len(w) >= 3 and not w.isdigit()]
    if not wanted:
        return None
    return corrected_query(query, backend.corrections(wanted, deadline))
