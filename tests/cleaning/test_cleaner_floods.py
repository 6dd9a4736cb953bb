"""No input may take the machine (issue 16): the cleaner is linear on floods of its own trigger
words, the rewritten patterns find what the old ones found, and a seed that takes too long to
clean is skipped, never waited for.

Times are CPU seconds (a shared machine must not fail them), each flood under a timer that fails
it at once instead of waiting for a quadratic pattern to finish. Sizes: every rule's pattern on
every trigger word at 50 KB, the HTML fallback on every HTML flood at 250 KB, the whole cleaner
at 1 MB on a sample (each rule's first trigger word, and the HTML tags that were slow);
``benchmarks/hostile.py`` runs every flood through the whole cleaner at every size.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from searcher import SeedError
from searcher.cleaning import floods
from searcher.cleaning import html as html_pass
from searcher.cleaning.cleaner import clean_html, clean_text
from searcher.cleaning.lines import clear_cache
from searcher.cleaning.rules import RULES
from searcher.indexing import cleaning_pool
from searcher.indexing.cleaning_pool import time_budget

pytestmark = pytest.mark.slow

MB = 1_000_000
#: The issue's bar for the whole cleaner on 1 MB of any flood.
CLEANER_LIMIT = 2.0
#: A rule's pattern alone on 50 KB: a linear one takes a few ms; the app-prompt rule, when
#: it was quadratic, took 26 s on 100 KB.
PATTERN_LIMIT = 0.1


def _cpu(what: str, limit: float, call: Callable[[], Any]) -> float:
    """CPU seconds of ``call()``; fails the test as soon as it passes ``limit``."""
    started = time.thread_time()
    try:
        with time_budget(limit):
            call()
    except BaseException as exc:
        if type(exc).__name__ == "_OverBudget":
            pytest.fail(f"{what}: over {limit} s of CPU")
        raise
    return time.thread_time() - started


# ---- every rule's pattern, every trigger word ------------------------------------------------
def test_every_rule_has_trigger_words():
    assert all(floods.trigger_words(rule) for rule in RULES)
    app_prompt = next(rule for rule in RULES if rule.reason.startswith("an app or browser prompt"))
    assert "app" in floods.trigger_words(app_prompt) and "open" in floods.trigger_words(app_prompt)


def test_every_rule_pattern_is_linear_on_its_trigger_words():
    # The pattern alone, with no word limit in front of it: a rule must not rely on its
    # max_words to stay fast (a line can be one word of a megabyte).
    size = 50_000
    for number, rule in enumerate(RULES):
        for word in floods.trigger_words(rule):
            for sep in floods.SEPARATORS:
                line = ((word + sep) * (size // len(word + sep) + 1))[:size]
                _cpu(f"rule {number} ({rule.reason}) on {word + sep!r} x {size}", PATTERN_LIMIT,
                     lambda: rule.pattern.search(line))


# ---- the whole cleaner at 1 MB -----------------------------------------------------------------
@pytest.mark.parametrize("name, kind, text", list(floods.rule_floods(MB, sample=True))
                         + [("the issue's flood: 'app-' x 1 MB", "text", "app-" * (MB // 4))],
                         ids=lambda v: v[:40] if isinstance(v, str) and len(v) < 200 else "")
def test_cleaner_on_rule_floods_at_1mb(name, kind, text):
    clear_cache()
    _cpu(name, CLEANER_LIMIT, lambda: clean_text(text))


def test_rough_text_of_every_html_flood():
    # The tag-stripping fallback on every HTML flood at 250 KB (the old one took 4 s on 80 KB
    # of <script>); the whole cleaner runs on a sample at 1 MB below.
    for name, _kind, text in floods.html_floods(250_000):
        _cpu(name, 0.5, lambda: html_pass.rough_text_blocks(text))


_HTML_SAMPLE = ("<script>", "<meta x ", "<!--", "<!-- x --", "<a", "<div class='share'>", "<p>", "<div>",
                "<style>", "<svg>", "<script type=application/ld+json>[")


@pytest.mark.parametrize("name, kind, text", [f for f in floods.html_floods(MB)
                                              if any(repr(unit) in f[0] for unit in _HTML_SAMPLE)],
                         ids=lambda v: v[:40] if isinstance(v, str) and len(v) < 200 else "")
def test_cleaner_on_html_floods_at_1mb(name, kind, text):
    clear_cache()

    def clean() -> None:
        try:
            clean_html(text)
        except SeedError:  # "HTML page without any text": an answer too
            pass

    _cpu(name, CLEANER_LIMIT, clean)


def test_normal_pages_clean_fast():
    for kind, clean in (("text", clean_text), ("html", clean_html)):
        page = floods.normal_page(kind, MB)
        assert len(clean(page).body) > 0.9 * MB
        _cpu(f"a normal {kind} page of 1 MB", CLEANER_LIMIT / 2, lambda: clean(page))


# ---- the rewrites find what the old patterns found ---------------------------------------------
_OLD_APP_PROMPT = re.compile(r"\b(app|apps|browser|chrome|safari|firefox|edge|opera|play store|app store)\b.*"
                             r"\b(open|continue|install|download|get|ok)$")


def test_app_prompt_rule_matches_as_before():
    new = next(rule for rule in RULES if "app or browser prompt" in rule.reason).pattern
    pieces = ["app", "apps", "browser", "play store", "app store", "store", "play", "open", "continue", "ok",
              "get", "gets", "xapp", "opener", "chrome", " ", " ", "-", ".", "s", "x", "\t", "é", "_", "1"]
    rnd = random.Random(16)
    for _ in range(50_000):
        line = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 10)))
        assert bool(_OLD_APP_PROMPT.search(line)) == bool(new.search(line)), line


_OLD_SKIP = re.compile(r"<(script|style|noscript|template|svg)\b.*?</\1\s*>", re.I | re.S)
_OLD_BLOCK = re.compile(r"</?(p|div|br|li|h[1-6]|tr|td|section|article|blockquote|pre|ul|ol|table)\b[^>]*>", re.I)
_OLD_ANY_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)


def _old_rough_text_blocks(html: str) -> list[str]:
    import html as html_lib

    text = _OLD_BLOCK.sub("\n", _OLD_SKIP.sub(" ", html))
    text = html_lib.unescape(_OLD_ANY_TAG.sub("", text))
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def test_rough_text_blocks_as_before():
    pieces = ["<script>", "</script>", "</SCRIPT >", "<Script>", "<style", "</style\n>", "<svg/>", "</svg>",
              "<noscript>", "</noscript>", "<template>", "</template >", "<scripts>", "<!--", "-->", "--", "->",
              "<", ">", "<p>", "</p", "<div class=x>", "<br/>", "x", " ", "\n", "<!-->", "a<b", "&amp;", "ſ"]
    rnd = random.Random(16)
    for _ in range(30_000):
        soup = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 25)))
        assert html_pass.rough_text_blocks(soup) == _old_rough_text_blocks(soup), soup


# ---- a seed over its time budget ---------------------------------------------------------------
def test_time_budget_stops_a_regex_stuck_in_c():
    # 2^40 steps would run for hours: only the budget can end this match.
    with pytest.raises(BaseException) as caught:
        with time_budget(0.2):
            re.match(r"(a+)+$", "a" * 40 + "b")  # 2^40 steps, all inside the regex engine
    assert type(caught.value).__name__ == "_OverBudget"


def test_time_budget_leaves_no_timer_behind():
    import signal

    with time_budget(5):
        pass
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) in (signal.SIG_DFL, None)


def _seeds(folder: Path, n: int, slow: int) -> list[Any]:
    from searcher.core.records import SeedFile

    folder.mkdir(exist_ok=True)
    seeds = []
    for i in range(n):
        path = folder / f"page{i:03d}.txt"
        path.write_text(floods.normal_page("text", 3 * MB if i == slow else 2_000), encoding="utf-8")
        seeds.append(SeedFile(path=str(path), doc_id=path.name, kind="text"))
    return seeds


@pytest.mark.parametrize("jobs", [1, 2])
# hypothesis keeps a gc callback installed in this process; when the budget's SIGPROF lands inside
# it, Python prints and drops that raise ("Exception ignored in gc_callback") and time_budget's
# repeating timer raises again a tick later. What this test asserts (the seed skipped, named) holds
# either way; the dropped first raise is not a failure of the cleaner (seen once in a CI run).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_seed_over_budget_is_skipped_naming_it(tmp_path, monkeypatch, jobs):
    # In this process (jobs=1) and in the worker pool (jobs=2): the slow seed is skipped with
    # the reason, the others are cleaned, and nothing waits for the slow one to finish.
    monkeypatch.setattr(cleaning_pool, "PARALLEL_MIN_SEEDS", 4)
    seeds = _seeds(tmp_path / "seeds", 8, slow=3)
    results = list(cleaning_pool.clean_seeds(seeds, jobs=jobs, budget=0.05))
    skipped = [r for r in results if isinstance(r, cleaning_pool.SkippedSeed)]
    assert [s.path for s in skipped] == [str(seeds[3].path)]
    assert "took over 0.05 s to clean" in skipped[0].reason
    assert len(results) == 8
