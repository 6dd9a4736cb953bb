"""Score the cleaner on the cleaner-dev pages, text captures and HTML, trafilatura beside it.

usage: python benchmarks/cleaner_eval.py [--data DIR] [--against CHECKOUT] [--per-page OUT_DIR]
                                         [--no-trafilatura] [--no-cv] [--repeat N] [--write-weights]

One run prints, for text captures (``pages/<id>.txt``) and raw HTML (``pages/<id>.html``):

* **body F1** (the data set's own ``score.py`` metric, imported from the data folder): all pages,
  short articles (under 150 words of true article), non-English pages and each language group;
* **titles** right, empty (no confident headline: the Document's ``title_guessed``) and wrong,
  against the headline of each page's HTML twin (:mod:`cleaner_reference`: ``<h1>``,
  ``og:title``, ``<title>``, less the site's name); **dates** right on the pages whose text
  capture shows the publication date, dates before 1990 or after today ("impossible"), other
  wrong dates; **authors** found, and how many agree with the page's own (JSON-LD, meta tags,
  trafilatura's);
* every figure on the development pages (dev) and leave-one-site-out cross-validated (CV): the
  pages are grouped by site, and each site's pages are cleaned by models fitted (the text
  captures' line and headline models) or settings chosen (the HTML edge check) on the other
  sites only. That is the figure to decide by; a system with nothing fitted here shows its dev
  figure there (marked ``=``);
* trafilatura 2.3.1 in the same run: on the raw HTML (default and the others of its settings),
  and on a minimal HTML wrapping of each text capture;
* speed: pages/s of process CPU time (the fastest of ``--repeat`` passes), and with
  ``--against CHECKOUT`` the same measured for that checkout (``benchmarks/cleaner_speed.py``'s
  alternating child processes) as a ratio, with the load average.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Callable
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cleaner-dev"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cleaner_reference import PageReference, author_agrees, load_references, near, title_right  # noqa: E402
from searcher.cleaning.cleaner import clean_html, clean_text, clear_caches, label_text_lines  # noqa: E402
from searcher.cleaning.article_bounds import BoundsSettings  # noqa: E402
from searcher.cleaning.consensus import AgreementSettings  # noqa: E402
from searcher.cleaning.languages import detect_language  # noqa: E402
from searcher.cleaning.line_model import FEATURES, apply_line_model, decides, line_features  # noqa: E402
from searcher.cleaning.text_models import TextModels  # noqa: E402
from searcher.cleaning.titles import TITLE_FEATURES, title_features  # noqa: E402

# The agreement settings the cross-validation chooses among (clean_html's edge check).
# (A first run over min_share 0.2/0.3/0.5 x max_trim 0.3/0.5/1.0 found min_share flat: 0.968,
# 0.970, 0.970 for each; the grid keeps the axis that moves.)
AGREEMENT_GRID = [AgreementSettings(max_trim=t) for t in (0.2, 0.3, 0.5, 1.0)]
# The text captures' article-bounds settings the cross-validation chooses among: off, and how
# many headline-shaped lines in a row make a list of links, and the longest line not taken.
BOUNDS_GRID = {"off": BoundsSettings(from_headline=False),
               **{f"links>={n} junk<={j}": BoundsSettings(link_run=n, max_junk_words=j)
                  for n in (3, 4, 6) for j in (0, 1, 2) if n == 4 or j == 1}}
SHORT_WORDS = 150
_WORD = re.compile(r"\w+")


@dataclass
class Extracted:
    """What a system made of one page."""

    body: str = ""
    title: str = ""
    published: date | None = None
    authors: list[str] = field(default_factory=list)


Extract = Callable[[str], Extracted]


def from_document(doc: Any) -> Extracted:
    published = doc.published.date() if doc.published else None
    return Extracted(doc.body or "", doc.title or "", published, list(doc.authors))


@dataclass
class Result:
    label: str
    kind: str                      # "text" or "html"
    pages: dict[str, Extracted]
    cpu_pages_per_s: float | None = None
    cv_pages: dict[str, Extracted] | None = None
    chosen: list[str] = field(default_factory=list)

    @property
    def judged(self) -> dict[str, Extracted]:
        return self.cv_pages or self.pages


def load_scorer(data: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("cleaner_dev_score", data / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(extract: Extract, inputs: dict[str, str], repeat: int) -> tuple[dict[str, Extracted], float]:
    """What ``extract`` made of every page, and pages/s by process CPU time (the fastest of
    ``repeat`` passes: on a shared machine the slower passes measure the neighbours); each pass
    starts with cold caches."""
    pages: dict[str, Extracted] = {}
    best_cpu = float("inf")
    for _ in range(max(1, repeat)):
        clear_caches()
        start_cpu = time.process_time()
        for i, text in inputs.items():
            pages[i] = extract(text)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return pages, len(inputs) / best_cpu if best_cpu else float("inf")


class Scorer:
    def __init__(self, data: Path, ids: list[str]):
        self.score = load_scorer(data)
        self.truth = self.score.load_truth(data / "truth.jsonl")
        self.ids = ids

    def rows(self, pages: dict[str, Extracted], ids: list[str]) -> list[tuple]:
        rows = []
        for i in ids:
            tp, fp, fn = self.score.page_counts(self.truth[i], pages[i].body)
            rows.append((tp, fp, fn, float(self.score.tokens(self.truth[i]) == self.score.tokens(pages[i].body))))
        return rows

    def f1(self, pages: dict[str, Extracted], ids: list[str] | None = None) -> float:
        ids = self.ids if ids is None else ids
        return self.score.aggregate(self.rows(pages, ids))["f1"] if ids else float("nan")

    def summary(self, pages: dict[str, Extracted]) -> dict:
        return self.score.aggregate(self.rows(pages, self.ids))

    def page_f1(self, pages: dict[str, Extracted]) -> dict[str, float]:
        out = {}
        for i, (tp, fp, fn, _) in zip(self.ids, self.rows(pages, self.ids)):
            p, r = self.score.prec(tp, fp, fn), self.score.rec(tp, fp, fn)
            out[i] = 2 * p * r / (p + r) if p + r else 0.0
        return out


def leave_one_site_out(scorer: Scorer, sites: dict[str, str],
                       candidates: dict[str, dict[str, Extracted]]) -> tuple[dict[str, Extracted], list[str]]:
    """For each site, the candidate with the best F1 on the other sites' pages cleans its pages.

    ``candidates``: setting name -> what it made of every page. Returns the held-out pages and
    the setting each fold chose.
    """
    held_out: dict[str, Extracted] = {}
    chosen = []
    for site in sorted(set(sites.values())):
        train = [i for i in scorer.ids if sites[i] != site]
        best = max(candidates, key=lambda name: scorer.f1(candidates[name], train))
        chosen.append(best)
        for i in scorer.ids:
            if sites[i] == site:
                held_out[i] = candidates[best][i]
    return held_out, chosen


# ---- the text captures' line model ---------------------------------------------------------
# The hand rules' verdict (whether they kept the line, whether a context rule cut it) is left
# out of the shipped model's features: it was set by eye on these pages.
HAND_VERDICT = ("hand_kept", "context_chrome")


def line_training_data(scorer: Scorer, texts: dict[str, str]) -> dict[str, tuple]:
    """Per page: the feature rows, whether each line is article text (most of its 4-word runs
    are in the true body; a line under four words: it occurs in it), and weights that give each
    page the same total (the metric averages pages) and each line its share of the page's words."""
    import numpy as np

    data = {}
    for i in scorer.ids:
        lines, span, _ = label_text_lines(texts[i])
        truth_words = _WORD.findall(scorer.truth[i])
        truth_runs = set(zip(*(truth_words[k:] for k in range(4))))
        truth_text = f" {' '.join(truth_words)} "
        targets, weights = [], []
        for line in lines:
            words = _WORD.findall(line.text)
            if len(words) >= 4:
                runs = list(zip(*(words[k:] for k in range(4))))
                targets.append(float(sum(1 for r in runs if r in truth_runs) >= 0.5 * len(runs)))
            else:
                targets.append(float(bool(words) and f" {' '.join(words)} " in truth_text))
            weights.append(max(1, len(words)) if decides(line) else 0)  # rule-labelled lines stay
        w = np.array(weights, dtype=float)
        data[i] = (np.array(line_features(lines, span), dtype=float).reshape(-1, len(FEATURES)),
                   np.array(targets), w / w.sum() if w.sum() else w)
    return data


def fit_line_model(data: dict[str, tuple], ids: list[str], drop: tuple[str, ...] = (),
                   l2: float = 1e-3) -> tuple[float, ...]:
    """Weighted logistic regression by Newton's method (a few dozen features: numpy is plenty)."""
    import numpy as np

    keep = [k for k, name in enumerate(FEATURES) if name not in drop]
    x = np.vstack([data[i][0] for i in ids])[:, keep]
    y = np.concatenate([data[i][1] for i in ids])
    w = np.concatenate([data[i][2] for i in ids])
    penalty = l2 * np.diag([0.0] + [1.0] * (len(keep) - 1))  # the bias (first feature) is free
    beta = np.zeros(len(keep))
    for _ in range(30):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (w * (p - y)) + penalty @ beta
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x + penalty + 1e-9 * np.eye(len(keep))
        beta -= np.linalg.solve(hessian, gradient)
    weights = [0.0] * len(FEATURES)
    for k, b in zip(keep, beta):
        weights[k] = float(b)
    return tuple(weights)


# ---- the headline model ----------------------------------------------------------------------
TITLE_L2 = 1.0


def title_training_data(texts: dict[str, str], refs: dict[str, PageReference], ids: list[str],
                        line_weights: tuple[float, ...]) -> dict[str, tuple]:
    """Per page: the candidate lines' feature rows and which of them is the page's headline, as
    the cleaner sees them with ``line_weights`` (the headline's features depend on where the
    line model puts the article)."""
    import numpy as np

    data = {}
    for i in ids:
        lines, span, language = label_text_lines(texts[i])
        apply_line_model(lines, span, line_weights, whole_run=True)
        indexes, rows = title_features(lines, language)
        x = np.array(rows, dtype=float).reshape(-1, len(TITLE_FEATURES))
        y = np.array([title_right(lines[k].text, refs[i].titles) for k in indexes], dtype=float)
        data[i] = (x, y)
    return data


def _page_odds(x: Any, w: Any) -> tuple[Any, Any, float]:
    """A page's candidate scores, their probabilities beside "no headline" (score 0), and the
    log of the normaliser."""
    import numpy as np

    s = x @ w
    top = max(0.0, s.max())
    e = np.exp(s - top)
    z = np.exp(-top) + e.sum()
    return s, e / z, top + float(np.log(z))


def _title_objective(w: Any, data: dict[str, tuple], ids: list[str], l2: float) -> float:
    import numpy as np

    total = 0.0
    for i in ids:
        x, y = data[i]
        if not len(x):
            continue
        s, _, log_z = _page_odds(x, w)
        if y.any():
            right = s[y > 0]
            total += right.max() + np.log(np.exp(right - right.max()).sum()) - log_z
        else:
            total -= log_z
    return total - 0.5 * l2 * float(w @ w)


def fit_title_model(data: dict[str, tuple], ids: list[str], l2: float = TITLE_L2) -> tuple[float, ...]:
    """A conditional logit over each page's candidate lines and "no headline" (score 0): the
    right line (any of them, when the headline is shown twice) against the rest, by Newton's
    method with step halving (the objective is not concave when a page has two right lines)."""
    import numpy as np

    k = len(TITLE_FEATURES)
    w = np.zeros(k)
    current = _title_objective(w, data, ids, l2)
    for _ in range(100):
        gradient, hessian = -l2 * w, l2 * np.eye(k)
        for i in ids:
            x, y = data[i]
            if not len(x):
                continue
            s, p, _ = _page_odds(x, w)
            mean = p @ x
            hessian += (x.T * p) @ x - np.outer(mean, mean)
            if y.any():
                q = np.where(y > 0, np.exp(s - s[y > 0].max()), 0.0)
                q /= q.sum()
                right = q @ x
                gradient += right - mean
                hessian -= (x.T * q) @ x - np.outer(right, right)
            else:
                gradient -= mean
        try:
            step = np.linalg.solve(hessian + 1e-6 * np.eye(k), gradient)
        except np.linalg.LinAlgError:
            step = gradient
        t = 1.0
        while t > 1e-4:
            candidate = w + t * step
            value = _title_objective(candidate, data, ids, l2)
            if value >= current:
                break
            t /= 2
        else:
            break
        w, current = candidate, value
        if np.abs(t * step).max() < 1e-7:
            break
    return tuple(float(v) for v in w)


WEIGHTS_DIR = REPO / "searcher" / "cleaning"


def write_weights(module: str, constant: str, names: tuple[str, ...], weights: tuple[float, ...], doc: str) -> None:
    """Store a model's weights as data in a module (no numpy at run time)."""
    rows = "".join(f"    {w:.4f},  # {name}\n" for name, w in zip(names, weights))
    (WEIGHTS_DIR / f"{module}.py").write_text(f'"""{doc}"""\n\n{constant}: tuple[float, ...] = (\n{rows})\n',
                                             encoding="utf-8")


LINE_WEIGHTS_DOC = """The line model's weights (:mod:`searcher.cleaning.line_model`), one per feature.

Written by ``python benchmarks/cleaner_eval.py --write-weights``: a logistic regression fitted on
every development page, without the hand rules' verdict among the features (that verdict was
set by eye on the same pages). The benchmark prints its leave-one-site-out figure.
"""
TITLE_WEIGHTS_DOC = """The headline model's weights (:mod:`searcher.cleaning.titles`), one per feature.

Written by ``python benchmarks/cleaner_eval.py --write-weights``: a conditional logit fitted on
every development page (the right line against the page's other candidates and "no headline"),
the reference headline read from each page's HTML twin. The benchmark prints its
leave-one-site-out figure.
"""


def cross_validate_text(scorer: Scorer, texts: dict[str, str], refs: dict[str, PageReference],
                        sites: dict[str, str], lines_data: dict[str, tuple]) -> tuple[dict[str, Extracted], list[str]]:
    """Each site's pages cleaned by the line and headline models fitted on the other sites, with
    the article-bounds setting that scores best on the other sites' pages (cleaned by the same
    fold's models)."""
    held_out: dict[str, Extracted] = {}
    chosen = []
    ids = scorer.ids
    for site in sorted(set(sites.values())):
        train = [i for i in ids if sites[i] != site]
        fold_lines = fit_line_model(lines_data, train, HAND_VERDICT)
        fold_titles = fit_title_model(title_training_data(texts, refs, train, fold_lines), train)
        models = {name: TextModels(line_weights=fold_lines, title_weights=fold_titles, bounds=bounds)
                  for name, bounds in BOUNDS_GRID.items()}
        best = max(models, key=lambda name: scorer.f1(
            {i: from_document(clean_text(texts[i], models=models[name])) for i in train}, train))
        chosen.append(best)
        for i in ids:
            if sites[i] == site:
                held_out[i] = from_document(clean_text(texts[i], models=models[best]))
    return held_out, chosen


# ---- trafilatura -------------------------------------------------------------------------------
def trafilatura_systems() -> list[tuple[str, Extract]]:
    if importlib.util.find_spec("trafilatura") is None:
        return []
    import trafilatura

    def run(**options: bool) -> Extract:
        def extract(html: str) -> Extracted:
            found = trafilatura.bare_extraction(html, with_metadata=True, **options)
            if found is None:
                return Extracted()
            body = found.text or ""
            if options.get("include_comments", True) and found.comments:  # as trafilatura.extract gives it
                body += "\n" + found.comments
            return Extracted(body, found.title or "", _day(found.date),
                             [a.strip() for a in (found.author or "").split(";") if a.strip()])
        return extract

    version = getattr(trafilatura, "__version__", "?")
    return [(f"trafilatura {version} default", run()),
            (f"trafilatura {version} favor_recall", run(favor_recall=True)),
            (f"trafilatura {version} favor_precision", run(favor_precision=True)),
            (f"trafilatura {version} no comments", run(include_comments=False))]


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def wrap_capture(text: str) -> str:
    """A text capture as the simplest HTML page: a paragraph per blank-line block."""
    from html import escape

    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "<html><body>" + "".join(f"<p>{escape(b).replace(chr(10), '<br>')}</p>" for b in blocks) + "</body></html>"


# ---- figures ---------------------------------------------------------------------------------------
def language_group(language: str | None, truth: str) -> str:
    """en, other Latin script, Cyrillic, CJK (by the true article's letters when the language
    detector has no answer)."""
    if language == "en":
        return "en"
    letters = [c for c in truth[:3000] if c.isalpha()]
    cjk = sum(1 for c in letters if "\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af")
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if letters and cjk > 0.3 * len(letters):
        return "CJK"
    if letters and cyrillic > 0.3 * len(letters):
        return "Cyrillic"
    return "Latin, not en"


@dataclass
class Metadata:
    titles_right: int
    titles_empty: int
    titles_wrong: int
    dates_right: int                 # of the pages whose capture shows the date
    dates_shown: int
    dates_impossible: int            # before 1990 or after today, on any page
    dates_other: int                 # a plausible date more than a day from the reference
    authors_found: int
    authors_agree: int
    authors_reference: int           # pages whose HTML names an author
    authors_agree_on_reference: int

    @property
    def title_share(self) -> float:
        total = self.titles_right + self.titles_empty + self.titles_wrong
        return self.titles_right / total if total else float("nan")


def metadata_figures(pages: dict[str, Extracted], refs: dict[str, PageReference], kind: str) -> Metadata:
    """Titles against the headlines; dates on the pages whose input shows the reference date (a
    text capture: when the day is written in it; HTML: every page with a reference date)."""
    today = date.today()
    right = sum(1 for i, p in pages.items() if title_right(p.title, refs[i].titles))
    empty = sum(1 for p in pages.values() if not p.title.strip())
    shown = [i for i in pages if (refs[i].shown_date if kind == "text" else refs[i].date is not None)]
    impossible = sum(1 for p in pages.values() if p.published and not date(1990, 1, 1) <= p.published <= today)
    other = sum(1 for i, p in pages.items() if p.published and date(1990, 1, 1) <= p.published <= today
                and refs[i].date and not near(p.published, refs[i].date))
    with_ref = [i for i in pages if refs[i].authors]
    return Metadata(right, empty, len(pages) - right - empty,
                    sum(1 for i in shown if near(pages[i].published, refs[i].date)), len(shown), impossible, other,
                    sum(1 for p in pages.values() if p.authors),
                    sum(1 for i, p in pages.items() if p.authors and author_agrees(p.authors, refs[i].authors)),
                    len(with_ref), sum(1 for i in with_ref if author_agrees(pages[i].authors, refs[i].authors)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the cleaner-dev folder")
    parser.add_argument("--against", type=Path, help="another checkout (e.g. /work/main) to time beside this one")
    parser.add_argument("--per-page", type=Path, help="write per-page TSVs for each system here")
    parser.add_argument("--no-trafilatura", action="store_true", help="skip the trafilatura rows")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation (faster)")
    parser.add_argument("--write-weights", action="store_true",
                        help="store the line and headline models fitted on all pages in searcher/cleaning/")
    parser.add_argument("--repeat", type=int, default=3, help="timing passes per system (the fastest counts)")
    args = parser.parse_args(argv)
    data = args.data
    if not (data / "truth.jsonl").exists():
        parser.error(f"no truth.jsonl in {data} (give --data)")
    started = time.perf_counter()
    with open(data / "truth.jsonl", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    ids = sorted(r["id"] for r in records)
    urls = {r["id"]: r["url"] for r in records}
    sites = {i: urlparse(u).netloc.lower().removeprefix("www.") for i, u in urls.items()}
    scorer = Scorer(data, ids)
    refs = load_references(data, ids, urls)
    languages = {i: detect_language(scorer.truth[i][:3000]) for i in ids}
    groups = {i: language_group(languages[i], scorer.truth[i]) for i in ids}
    short = [i for i in ids if len(_WORD.findall(scorer.truth[i])) < SHORT_WORDS]
    foreign = [i for i in ids if languages[i] != "en"]
    inputs = {kind: {i: (data / "pages" / f"{i}.{kind}").read_text(encoding="utf-8") for i in ids}
              for kind in ("txt", "html")}
    results: list[Result] = []
    notes: list[str] = []

    def run(label: str, kind: str, extract: Extract, repeat: int = args.repeat) -> Result:
        pages, cpu_speed = timed(extract, inputs["txt" if kind == "text" else "html"], repeat)
        result = Result(label, kind, pages, cpu_speed)
        results.append(result)
        return result

    # -- text captures
    has_numpy = importlib.util.find_spec("numpy") is not None
    if has_numpy:
        lines_data = line_training_data(scorer, inputs["txt"])
        line_weights = fit_line_model(lines_data, ids, HAND_VERDICT)
        title_weights = fit_title_model(title_training_data(inputs["txt"], refs, ids, line_weights), ids)
        if args.write_weights:  # stored first, so every row below runs with them
            write_weights("line_weights", "LINE_WEIGHTS", FEATURES, line_weights, LINE_WEIGHTS_DOC)
            write_weights("title_weights", "TITLE_WEIGHTS", TITLE_FEATURES, title_weights, TITLE_WEIGHTS_DOC)
            importlib.reload(importlib.import_module("searcher.cleaning.line_weights"))
            importlib.reload(importlib.import_module("searcher.cleaning.title_weights"))
            notes.append("weights written to searcher/cleaning/line_weights.py and title_weights.py")
    results.append(Result("no cleaning", "text", {i: Extracted(t) for i, t in inputs["txt"].items()}))
    shipped_text = run("searcher clean_text", "text", lambda text: from_document(clean_text(text)))
    run("searcher clean_text, hand rules only", "text",
        lambda text: from_document(clean_text(text, models=TextModels(line_model=False))))
    if has_numpy:
        notes.append("line model fitted on all pages: "
                     + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, line_weights) if w))
        notes.append("headline model fitted on all pages: "
                     + ", ".join(f"{n} {w:+.2f}" for n, w in zip(TITLE_FEATURES, title_weights) if w))
        if not args.no_cv:
            shipped_text.cv_pages, shipped_text.chosen = cross_validate_text(
                scorer, inputs["txt"], refs, sites, lines_data)
    else:
        notes.append("numpy is not importable: no cross-validation of the text models (pip install -e .[bench])")
    traf = [] if args.no_trafilatura else trafilatura_systems()
    if traf:
        label, extract = traf[0]
        run(f"{label}, the capture as HTML", "text", lambda text: extract(wrap_capture(text)))

    # -- HTML
    shipped_html = run("searcher clean_html", "html", lambda html: from_document(clean_html(html)))
    run("searcher clean_html, structure pass only", "html",
        lambda html: from_document(clean_html(html, first_stage="structure")))
    if traf and not args.no_cv:
        candidates = {}
        for settings in AGREEMENT_GRID:
            candidates[f"share>={settings.min_share} trim<={settings.max_trim}"] = {
                i: from_document(clean_html(inputs["html"][i], agreement=settings)) for i in ids}
        candidates["no trim"] = {i: from_document(clean_html(inputs["html"][i], agreement=AgreementSettings(
            min_share=2.0))) for i in ids}
        shipped_html.cv_pages, shipped_html.chosen = leave_one_site_out(scorer, sites, candidates)
        for name, pages in candidates.items():
            notes.append(f"HTML edge-check setting {name:<22} dev F1 {scorer.f1(pages):.3f}")
    for label, extract in traf:
        run(label, "html", extract)
    if not traf and not args.no_trafilatura:
        notes.append("trafilatura is not importable: its rows are skipped")

    print_report(args, results, scorer, refs, sites, groups, short, foreign, notes)
    if args.against:
        print_speed(args, data)
    print(f"\n{time.perf_counter() - started:.0f} s; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


def _pair(dev: float, cv: float | None) -> str:
    return f"{dev:.3f} {'=' if cv is None else f'{cv:.3f}':>5}"


def print_report(args: argparse.Namespace, results: list[Result], scorer: Scorer, refs: dict[str, PageReference],
                 sites: dict[str, str], groups: dict[str, str], short: list[str], foreign: list[str],
                 notes: list[str]) -> None:
    ids = scorer.ids
    group_names = sorted(set(groups.values()), key=lambda g: (-list(groups.values()).count(g), g))
    print(f"cleaner-dev: {len(ids)} pages from {len(set(sites.values()))} sites ({args.data}); "
          f"{len(short)} short articles (< {SHORT_WORDS} words), {len(foreign)} not in English")
    print("each cell: dev figure, then leave-one-site-out CV ('=' where nothing is fitted: the same as dev)\n")
    heads = [f"all({len(ids)})", f"short({len(short)})", f"non-en({len(foreign)})"] + \
        [f"{g}({sum(1 for v in groups.values() if v == g)})" for g in group_names]
    print(f"{'body F1':<46} {'in':<4} " + " ".join(f"{h:>13}" for h in heads) + f" {'prec':>6} {'recall':>6}")
    for r in results:
        cells = [_pair(scorer.f1(r.pages, sel), scorer.f1(r.cv_pages, sel) if r.cv_pages else None)
                 for sel in (ids, short, foreign, *([i for i in ids if groups[i] == g] for g in group_names))]
        m = scorer.summary(r.judged)
        print(f"{r.label:<46} {r.kind:<4} " + " ".join(f"{c:>13}" for c in cells)
              + f" {m['precision']:>6.3f} {m['recall']:>6.3f}")
    print(f"\n{'titles, dates, authors':<46} {'in':<4} {'title right':>13} {'empty':>5} {'wrong':>5} "
          f"{'date right/shown':>16} {'impossible':>10} {'other date':>10} {'authors found':>13} "
          f"{'agree':>5} {'on ref pages':>12}")
    for r in results:
        if r.label == "no cleaning":
            continue
        dev = metadata_figures(r.pages, refs, r.kind)
        cv = metadata_figures(r.cv_pages, refs, r.kind) if r.cv_pages else None
        title = f"{dev.titles_right}" + (f"/{cv.titles_right}" if cv else "/=") + f" {dev.title_share:.0%}"
        dates = f"{dev.dates_right}" + (f"/{cv.dates_right}" if cv else "") + f" of {dev.dates_shown}"
        print(f"{r.label:<46} {r.kind:<4} {title:>13} {dev.titles_empty:>5} {dev.titles_wrong:>5} {dates:>16} "
              f"{dev.dates_impossible:>10} {dev.dates_other:>10} {dev.authors_found:>13} {dev.authors_agree:>5} "
              f"{dev.authors_agree_on_reference:>5} of {dev.authors_reference:<3}")
        if cv:
            notes.append(f"{r.label}: CV titles right {cv.titles_right} ({cv.title_share:.1%}), empty "
                         f"{cv.titles_empty}, wrong {cv.titles_wrong}; dates right {cv.dates_right} of "
                         f"{cv.dates_shown} shown, impossible {cv.dates_impossible}, other {cv.dates_other}; "
                         f"authors found {cv.authors_found}")
    print(f"\n{'speed (process CPU, fastest of ' + str(args.repeat) + ' passes)':<46} {'in':<4} {'pages/s':>8}")
    for r in results:
        if r.cpu_pages_per_s is not None:
            print(f"{r.label:<46} {r.kind:<4} {r.cpu_pages_per_s:>8.1f}")
    for r in results:
        if r.chosen:
            counts = {name: r.chosen.count(name) for name in dict.fromkeys(r.chosen)}
            print(f"\n{r.label}: settings chosen by the {len(r.chosen)} folds: "
                  + ", ".join(f"{name} x{n}" for name, n in counts.items()))
    by_site: dict[str, list[str]] = {}
    for i in ids:
        by_site.setdefault(sites[i], []).append(i)
    print()
    for r in results:
        if r.label.startswith("searcher"):
            per_page = scorer.page_f1(r.judged)
            worst = min(by_site.values(), key=lambda group: scorer.f1(r.judged, group))
            print(f"{r.label} ({r.kind}): worst site {sites[worst[0]]} {scorer.f1(r.judged, worst):.3f}; lowest "
                  f"tenth of pages below {sorted(per_page.values())[len(ids) // 10]:.3f}")
            if args.per_page:
                write_per_page(args.per_page, r, scorer, refs, sites, groups)
    for note in notes:
        print(f"note: {note}")


def write_per_page(folder: Path, r: Result, scorer: Scorer, refs: dict[str, PageReference],
                   sites: dict[str, str], groups: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w]+", "_", f"{r.kind}_{r.label}").strip("_")
    per_page = scorer.page_f1(r.judged)
    with open(folder / f"{name}.tsv", "w", encoding="utf-8") as out:
        out.write("id\tsite\tgroup\tf1\ttitle_right\ttitle\treference_title\tdate\treference_date\tshown\tauthors\n")
        for i in scorer.ids:
            p, ref = r.judged[i], refs[i]
            out.write(f"{i}\t{sites[i]}\t{groups[i]}\t{per_page[i]:.4f}\t{int(title_right(p.title, ref.titles))}\t"
                      f"{p.title}\t{ref.title}\t{p.published or ''}\t{ref.date or ''}\t{int(ref.shown_date)}\t"
                      f"{'; '.join(p.authors)}\n")


def print_speed(args: argparse.Namespace, data: Path) -> None:
    """This checkout's pages/s beside ``--against``'s, alternating child processes."""
    import cleaner_speed

    checkouts = [REPO, args.against.resolve()]
    best = cleaner_speed.measure(checkouts, rounds=3, repeat=args.repeat, data=data)
    load = os.getloadavg()
    print(f"\nspeed against {checkouts[1]} (process CPU pages/s, best of 3 alternating rounds; load "
          f"{load[0]:.1f}):")
    for name in best[REPO]:
        ours, theirs = best[REPO][name][0], best[checkouts[1]][name][0]
        print(f"  {name:<18} this {ours:8.1f}  that {theirs:8.1f}  ratio {ours / theirs:.2f}")


if __name__ == "__main__":
    sys.exit(main())
