"""The learned and tuned parts of the text-capture cleaner, as one record passed down.

``benchmarks/cleaner_eval.py`` fits the two models on the development pages and stores them as
data (:mod:`searcher.cleaning.line_weights`, :mod:`searcher.cleaning.title_weights`) and picks
the article-bounds setting by cross-validation; its folds pass their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .article_bounds import BoundsSettings


@dataclass(frozen=True, slots=True)
class TextModels:
    """Weights for :func:`searcher.cleaning.cleaner.clean_text`; None: the stored ones."""

    #: The line model's weights (:mod:`searcher.cleaning.line_model`).
    line_weights: tuple[float, ...] | None = None
    #: The headline model's weights (:mod:`searcher.cleaning.titles`).
    title_weights: tuple[float, ...] | None = None
    #: False: the hand rules alone decide each line (no line model).
    line_model: bool = True
    #: How far the article's start moves up to its headline.
    bounds: BoundsSettings = field(default_factory=BoundsSettings)

    def lines(self) -> tuple[float, ...]:
        from .line_weights import LINE_WEIGHTS

        return LINE_WEIGHTS if self.line_weights is None else self.line_weights

    def titles(self) -> tuple[float, ...]:
        from .title_weights import TITLE_WEIGHTS

        return TITLE_WEIGHTS if self.title_weights is None else self.title_weights
