"""A second look at each line of a text capture: a logistic regression over the line's features
and the hand rules' verdict, with weights learned by ``benchmarks/cleaner_eval.py``.

The hand rules (:mod:`searcher.cleaning.lines`) set their thresholds by eye; the weights here
are fitted to the development pages and judged by leave-one-site-out cross-validation. Lines a
rule calls chrome keep that label (its reason is the better explanation); every other line is
kept when the model gives it at least even odds of being article text and it lies in the run of
lines the model scores as the article.
"""

from __future__ import annotations

import math
from collections import Counter
from operator import attrgetter, mul
from typing import Sequence

from .lines import BAD, BODY, GOOD, HEADING, NEAR_GOOD, Line

# The features, in the order of the weights.
FEATURES = ("bias", "hand_kept", "context_chrome", "outside_run", "log_words", "stop", "no_stop_list",
            "sentence", "log_distance_to_run", "good", "near_good", "bad", "repeated", "prose_before",
            "prose_after", "relative_position")

_POSITIONAL = {"navigation", "footer", "short"}
_TEXT = attrgetter("text")
_PROSE = (GOOD, NEAR_GOOD)


def line_features(lines: list[Line], span: tuple[int, int]) -> list[tuple[float, ...]]:
    """One row of :data:`FEATURES` per line, after :func:`label_lines` gave ``span``."""
    start, end = span
    counts = Counter(map(_TEXT, lines))
    n = len(lines)
    prose = [line.kind in _PROSE for line in lines]
    log1p = math.log1p
    rows = []
    append = rows.append
    for i, line in enumerate(lines):
        distance = start - i if i < start else (i - end + 1 if i >= end else 0)
        label, kind, stop = line.label, line.kind, line.stop
        append((
            1.0,
            float(label == BODY or label == HEADING),
            float(line.rule is None and label not in _POSITIONAL and label != BODY and label != HEADING
                  and label != ""),
            float(distance > 0),
            log1p(line.words),
            stop or 0.0,
            float(stop is None),
            float(line.sentence),
            log1p(distance),
            float(kind == GOOD),
            float(kind == NEAR_GOOD),
            float(kind == BAD),
            float(counts[line.text] > 1),
            float(i > 0 and prose[i - 1]),
            float(i + 1 < n and prose[i + 1]),
            i / n,
        ))
    return rows


def decides(line: Line) -> bool:
    """Whether the model judges this line: not when a rule (single-line or context: a caption
    beside its credit, a headline under 'Related') called it chrome, whose reason says more."""
    return line.label in (BODY, HEADING) or line.rule is None and line.label in _POSITIONAL


def keep_probability(row: Sequence[float], weights: Sequence[float]) -> float:
    z = sum(map(mul, weights, row))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def line_odds(lines: list[Line], span: tuple[int, int], weights: Sequence[float]) -> list[float]:
    """:func:`keep_probability` of every line's :func:`line_features` row, without building the rows.

    The same sum in the same order: a term whose weight or feature is zero adds nothing, and a
    0/1 feature adds its weight, so only the other terms are multiplied and added (it runs for
    every line of every page; tests/cleaning/test_cleaner_line_model.py checks it against the rows).
    """
    (w_bias, w_hand, w_context, w_outside, w_words, w_stop, w_no_stop, w_sentence, w_distance, w_good,
     w_near, w_bad, w_repeated, w_before, w_after, w_position) = weights
    start, end = span
    counts = Counter(map(_TEXT, lines))
    n = len(lines)
    prose = [line.kind in _PROSE for line in lines] + [False]  # [n]: no line after the last
    log1p, exp = math.log1p, math.exp
    odds = []
    append = odds.append
    for i, line in enumerate(lines):
        label, kind, stop = line.label, line.kind, line.stop
        z = w_bias * 1.0
        kept = label == BODY or label == HEADING
        if kept and w_hand:
            z += w_hand
        if w_context and line.rule is None and not kept and label not in _POSITIONAL and label != "":
            z += w_context
        distance = start - i if i < start else (i - end + 1 if i >= end else 0)
        if distance > 0 and w_outside:
            z += w_outside
        if w_words:
            z += w_words * log1p(line.words)
        if stop and w_stop:
            z += w_stop * stop
        if stop is None and w_no_stop:
            z += w_no_stop
        if line.sentence and w_sentence:
            z += w_sentence
        if distance and w_distance:
            z += w_distance * log1p(distance)
        if kind == GOOD:
            z += w_good
        elif kind == NEAR_GOOD:
            z += w_near
        elif kind == BAD:
            z += w_bad
        if w_repeated and counts[line.text] > 1:
            z += w_repeated
        if i > 0 and prose[i - 1] and w_before:
            z += w_before
        if prose[i + 1] and w_after:
            z += w_after
        if w_position:
            z += w_position * (i / n)
        if z > 30.0:  # the clamp of keep_probability, without two calls per line
            z = 30.0
        elif z < -30.0:
            z = -30.0
        append(1.0 / (1.0 + exp(-z)))
    return odds


def apply_line_model(lines: list[Line], span: tuple[int, int], weights: Sequence[float], *,
                     whole_run: bool = False) -> tuple[int, int]:
    """Relabel the lines no single-line rule called chrome by the model's odds.

    ``whole_run``: the article is one run of lines, from where the model's evidence for article
    text starts to where it ends (the run with the highest sum of (odds - 1/2) x words); lines
    outside it go whatever their own odds. Returns that run, ``(start, end)``, end exclusive
    (the whole page without ``whole_run``).
    """
    odds = line_odds(lines, span, weights)
    start, end = 0, len(lines)
    if whole_run:
        best = total = 0.0
        run_start = 0
        for i, (line, p) in enumerate(zip(lines, odds)):
            if total <= 0:
                total, run_start = 0.0, i
            total += (p - 0.5) * max(1, line.words)
            if total > best:
                best, (start, end) = total, (run_start, i + 1)
    for i, (line, p) in enumerate(zip(lines, odds)):
        if not decides(line):
            continue
        kept = line.label in (BODY, HEADING)
        if not start <= i < end:
            if kept:
                line.label, line.reason = ("navigation" if i < start else "footer",
                                           "outside the run of lines the line model scores as the article")
        elif kept and p < 0.5:
            line.label, line.reason = "short", f"the line model gives it {p:.2f} odds of being article text"
        elif not kept and p >= 0.5:
            line.label, line.reason = BODY, f"the line model gives it {p:.2f} odds of being article text"
    return start, end
