"""Score the cleaner on the cleaner-dev pages: dev and cross-validated F1, trafilatura beside it.

usage: python benchmarks/cleaner_eval.py [--data DIR] [--per-page OUT_DIR] [--no-trafilatura]
                                         [--repeat N] [--no-cv]

One run prints, for text captures (``pages/<id>.txt``) and raw HTML (``pages/<id>.html``):

* the dev F1 / precision / recall of every system (the data set's own ``score.py`` metric,
  imported from the data folder) and its speed (pages/s, the fastest of ``--repeat`` passes);
* for every system with something tuned by this script, a leave-one-site-out cross-validated
  F1: the pages are grouped by their site (the URL's host), and each site's pages are cleaned
  with the setting chosen on the other sites' pages only. That is the figure to decide by: the
  dev figure of a tuned setting is fitted to these pages. Systems with nothing tuned here show
  the dev figure again (their hand-set rules were written looking at all of these pages, so
  for them no honest held-out figure exists on this set);
* trafilatura (default, favor_recall, favor_precision) on the raw HTML in the same run;
* per-language F1 (the language the cleaner detects in the true article body) and the spread
  over sites (the worst site and the lowest tenth of per-page F1);
* how many HTML pages get a title, date, authors and source with each first stage.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cleaner-dev"
sys.path.insert(0, str(REPO))

from searcher.cleaning.cleaner import clean_html, clean_text, label_text_lines  # noqa: E402
from searcher.cleaning.consensus import AgreementSettings  # noqa: E402
from searcher.cleaning.languages import detect_language  # noqa: E402
from searcher.cleaning.lines import clear_cache  # noqa: E402
from searcher.cleaning.line_model import FEATURES, decides, line_features  # noqa: E402

Extract = Callable[[str], str]

# The agreement settings the cross-validation chooses among (clean_html's edge check).
# (A first run over min_share 0.2/0.3/0.5 x max_trim 0.3/0.5/1.0 found min_share flat: 0.968,
# 0.970, 0.970 for each; the grid keeps the axis that moves.)
AGREEMENT_GRID = [AgreementSettings(max_trim=t) for t in (0.2, 0.3, 0.5, 1.0)]


@dataclass
class Result:
    label: str
    kind: str                      # "text" or "html"
    bodies: dict[str, str]
    pages_per_s: float | None
    cpu_pages_per_s: float | None = None
    cv_bodies: dict[str, str] | None = None
    chosen: list[str] = field(default_factory=list)


def load_scorer(data: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("cleaner_dev_score", data / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(extract: Extract, inputs: dict[str, str], repeat: int) -> tuple[dict[str, str], float, float]:
    """Bodies, pages/s by the wall clock and by process CPU time (the fastest of ``repeat``
    passes: on a shared machine the slower passes measure the neighbours, not the code; CPU
    time is the steadier of the two there); each pass starts with cold caches."""
    bodies: dict[str, str] = {}
    best = best_cpu = float("inf")
    for _ in range(max(1, repeat)):
        clear_cache()
        start, start_cpu = time.perf_counter(), time.process_time()
        for i, text in inputs.items():
            bodies[i] = extract(text) or ""
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return bodies, len(inputs) / best if best else float("inf"), len(inputs) / best_cpu if best_cpu else float("inf")


class Scorer:
    def __init__(self, data: Path, ids: list[str]):
        self.score = load_scorer(data)
        self.truth = self.score.load_truth(data / "truth.jsonl")
        self.ids = ids

    def rows(self, bodies: dict[str, str], ids: list[str] | None = None) -> list[tuple]:
        rows = []
        for i in ids or self.ids:
            tp, fp, fn = self.score.page_counts(self.truth[i], bodies[i])
            rows.append((tp, fp, fn, float(self.score.tokens(self.truth[i]) == self.score.tokens(bodies[i]))))
        return rows

    def summary(self, bodies: dict[str, str], ids: list[str] | None = None) -> dict:
        return self.score.aggregate(self.rows(bodies, ids))

    def page_f1(self, bodies: dict[str, str]) -> dict[str, float]:
        out = {}
        for i, (tp, fp, fn, _) in zip(self.ids, self.rows(bodies)):
            p, r = self.score.prec(tp, fp, fn), self.score.rec(tp, fp, fn)
            out[i] = 2 * p * r / (p + r) if p + r else 0.0
        return out


def leave_one_site_out(scorer: Scorer, sites: dict[str, str],
                       candidates: dict[str, dict[str, str]]) -> tuple[dict[str, str], list[str]]:
    """For each site, the candidate with the best F1 on the other sites' pages cleans its pages.

    ``candidates``: setting name -> bodies of every page. Returns the held-out bodies and the
    setting each fold chose.
    """
    held_out: dict[str, str] = {}
    chosen = []
    for site in sorted(set(sites.values())):
        train = [i for i in scorer.ids if sites[i] != site]
        test = [i for i in scorer.ids if sites[i] == site]
        best = max(candidates, key=lambda name: scorer.summary(candidates[name], train)["f1"])
        chosen.append(best)
        for i in test:
            held_out[i] = candidates[best][i]
    return held_out, chosen


# ---- the text captures' line model ---------------------------------------------------------
# Feature sets the line model is fitted with: all of them, and without the hand rules' verdict
# (whether they kept the line, whether a context rule cut it), which was itself set on these pages.
HAND_VERDICT = ("hand_kept", "context_chrome")
_WORD = __import__("re").compile(r"\w+")


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
                   l2: float = 1e-3) -> list[float]:
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
    return weights


WEIGHTS_MODULE = REPO / "searcher" / "cleaning" / "line_weights.py"


def write_weights(weights: list[float]) -> None:
    """Store the line model's weights as data in a module (no numpy at run time)."""
    rows = "".join(f"    {w:.4f},  # {name}\n" for name, w in zip(FEATURES, weights))
    WEIGHTS_MODULE.write_text(
        '"""The line model\'s weights (:mod:`searcher.cleaning.line_model`), one per feature.\n\n'
        "Written by ``python benchmarks/cleaner_eval.py --write-weights``: a logistic regression fitted on\n"
        "every development page, without the hand rules' verdict among the features (that verdict was\n"
        "set by eye on the same pages). The benchmark prints its leave-one-site-out figure.\n"
        '"""\n\nLINE_WEIGHTS: tuple[float, ...] = (\n' + rows + ")\n", encoding="utf-8")


def trafilatura_systems() -> list[tuple[str, Extract]]:
    if importlib.util.find_spec("trafilatura") is None:
        return []
    import trafilatura

    def run(**options: bool) -> Extract:
        return lambda html: trafilatura.extract(html, **options) or ""

    version = getattr(trafilatura, "__version__", "?")
    return [(f"trafilatura {version} default", run()),
            (f"trafilatura {version} favor_recall", run(favor_recall=True)),
            (f"trafilatura {version} favor_precision", run(favor_precision=True)),
            (f"trafilatura {version} no comments", run(include_comments=False))]


def settings_name(s: AgreementSettings) -> str:
    return f"share>={s.min_share} trim<={s.max_trim}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the cleaner-dev folder")
    parser.add_argument("--per-page", type=Path, help="write per-page TSVs for each system here")
    parser.add_argument("--no-trafilatura", action="store_true", help="skip the trafilatura rows")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation (faster)")
    parser.add_argument("--write-weights", action="store_true",
                        help="store the line model fitted on all pages in searcher/cleaning/line_weights.py")
    parser.add_argument("--repeat", type=int, default=3, help="timing passes per system (the fastest counts)")
    args = parser.parse_args(argv)
    data = args.data
    if not (data / "truth.jsonl").exists():
        parser.error(f"no truth.jsonl in {data} (give --data)")
    with open(data / "truth.jsonl", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    ids = sorted(r["id"] for r in records)
    sites = {r["id"]: urlparse(r["url"]).netloc.lower().removeprefix("www.") for r in records}
    scorer = Scorer(data, ids)
    languages = {i: detect_language(scorer.truth[i][:3000]) or "?" for i in ids}
    inputs = {kind: {i: (data / "pages" / f"{i}.{kind}").read_text(encoding="utf-8") for i in ids}
              for kind in ("txt", "html")}
    results: list[Result] = []
    notes: list[str] = []

    def run(label: str, kind: str, extract: Extract, repeat: int = args.repeat) -> Result:
        bodies, speed, cpu_speed = timed(extract, inputs["txt" if kind == "text" else "html"], repeat)
        result = Result(label, kind, bodies, speed, cpu_speed)
        results.append(result)
        return result

    results.append(Result("no cleaning", "text", dict(inputs["txt"]), None))
    run("searcher clean_text, hand rules only", "text", lambda text: clean_text(text, line_model=False).body)
    if importlib.util.find_spec("numpy") is not None:
        training = line_training_data(scorer, inputs["txt"])
        # The shipped model (stored weights, no hand verdict), then the same with the verdict.
        for label, drop, stored in (("searcher clean_text (line model)", HAND_VERDICT, True),
                                    ("clean_text, line model + hand verdict", (), False)):
            weights = fit_line_model(training, ids, drop)
            if stored and args.write_weights:
                write_weights(weights)
            result = run(label, "text", (lambda text: clean_text(text).body) if stored else
                         (lambda text, w=weights: clean_text(text, line_weights=w).body))
            if not args.no_cv:
                held_out: dict[str, str] = {}
                for site in sorted(set(sites.values())):
                    fold = fit_line_model(training, [i for i in ids if sites[i] != site], drop)
                    for i in ids:
                        if sites[i] == site:
                            held_out[i] = clean_text(inputs["txt"][i], line_weights=fold).body
                result.cv_bodies = held_out
            notes.append(f"{label}: weights fitted on all pages: "
                         + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, weights) if w))
    else:
        run("searcher clean_text (line model)", "text", lambda text: clean_text(text).body)
        notes.append("numpy is not importable: no cross-validation of the line model (pip install -e .[bench])")
    run("searcher clean_html, structure pass + line rules", "html",
        lambda html: clean_html(html, first_stage="structure").body)
    traf = [] if args.no_trafilatura else trafilatura_systems()
    if traf:
        default = run("searcher clean_html (trafilatura + agreement)", "html", lambda html: clean_html(html).body)
        if not args.no_cv:
            candidates = {}
            for settings in AGREEMENT_GRID:
                candidates[settings_name(settings)] = {
                    i: clean_html(inputs["html"][i], agreement=settings).body for i in ids}
            candidates["no trim"] = {i: clean_html(inputs["html"][i], agreement=AgreementSettings(
                min_share=2.0)).body for i in ids}
            default.cv_bodies, default.chosen = leave_one_site_out(scorer, sites, candidates)
            for name, bodies in candidates.items():
                notes.append(f"agreement setting {name:<24} dev F1 {scorer.summary(bodies)['f1']:.3f}")
        for label, extract in traf:
            run(label, "html", extract)
    elif not args.no_trafilatura:
        notes.append("trafilatura is not importable: its rows are skipped")

    print(f"cleaner-dev: {len(ids)} pages from {len(set(sites.values()))} sites ({data}); "
          f"pages/s (wall clock) and cpu p/s (process CPU time): the fastest of {args.repeat} passes")
    print("CV F1: leave-one-site-out, for what this script tunes; '=dev' where nothing is tuned here")
    print(f"{'system':<52} {'input':<5} {'F1':>6} {'prec':>6} {'recall':>6} {'CV F1':>6} "
          f"{'pages/s':>8} {'cpu p/s':>8} {'worst site':>10} {'p10 page':>8}")
    page_f1s: dict[str, dict[str, float]] = {}
    for result in results:
        m = scorer.summary(result.bodies)
        cv = f"{scorer.summary(result.cv_bodies)['f1']:.3f}" if result.cv_bodies else "=dev"
        judged = result.cv_bodies or result.bodies
        per_page = scorer.page_f1(judged)
        page_f1s[result.label] = per_page
        by_site: dict[str, list[str]] = {}
        for i in ids:
            by_site.setdefault(sites[i], []).append(i)
        worst_site = min(scorer.summary(judged, group)["f1"] for group in by_site.values())
        p10 = sorted(per_page.values())[len(ids) // 10]
        speed = "-" if result.pages_per_s is None else f"{result.pages_per_s:.1f}"
        cpu_speed = "-" if result.cpu_pages_per_s is None else f"{result.cpu_pages_per_s:.1f}"
        print(f"{result.label:<52} {result.kind:<5} {m['f1']:>6.3f} {m['precision']:>6.3f} {m['recall']:>6.3f} "
              f"{cv:>6} {speed:>8} {cpu_speed:>8} {worst_site:>10.3f} {p10:>8.3f}")
        if args.per_page:
            args.per_page.mkdir(parents=True, exist_ok=True)
            name = result.label.replace(" ", "_").replace(",", "").replace("(", "").replace(")", "")
            with open(args.per_page / f"{name}.tsv", "w", encoding="utf-8") as out:
                out.write("id\tsite\tlanguage\tf1\n")
                for i in ids:
                    out.write(f"{i}\t{sites[i]}\t{languages[i]}\t{per_page[i]:.4f}\n")
    langs = sorted(set(languages.values()), key=lambda lang: (-list(languages.values()).count(lang), lang))
    print("\nF1 per language (CV bodies where there are some; pages per language in brackets)")
    print(f"{'system':<52} " + " ".join(f"{lang + '(' + str(list(languages.values()).count(lang)) + ')':>7}"
                                         for lang in langs))
    for result in results:
        judged = result.cv_bodies or result.bodies
        cells = []
        for lang in langs:
            group = [i for i in ids if languages[i] == lang]
            cells.append(f"{scorer.summary(judged, group)['f1']:>7.3f}")
        print(f"{result.label:<52} " + " ".join(cells))
    for result in results:
        if result.chosen:
            counts = {name: result.chosen.count(name) for name in dict.fromkeys(result.chosen)}
            print(f"\n{result.label}: settings chosen by the {len(result.chosen)} folds: "
                  + ", ".join(f"{name} x{n}" for name, n in counts.items()))
    print("\nmetadata found on the HTML pages (pages with the field set; no truth for it here)")
    for stage in ("structure", "trafilatura"):
        docs = [clean_html(inputs["html"][i], first_stage=stage) for i in ids]
        counts = {f: sum(1 for d in docs if getattr(d, f)) for f in ("title", "published", "authors", "source")}
        print(f"  first stage {stage:<12} " + ", ".join(f"{f} {n}/{len(ids)}" for f, n in counts.items()))
    for note in notes:
        print(f"note: {note}")
    spread = {label: statistics.pstdev(v.values()) for label, v in page_f1s.items()}
    print("note: per-page F1 standard deviation: " + ", ".join(f"{k} {v:.3f}" for k, v in spread.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
