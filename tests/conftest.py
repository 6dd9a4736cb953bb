"""Shared fixtures: a CLI runner, a private copy of the seeds, a built index."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher import Document

REPO = Path(__file__).resolve().parents[1]
#: Read-only evaluation data kept beside the checkout (never copied into the repo).
SHARED = REPO.parent / "shared"
#: Set (by .ci/run) to make a missing ../shared a failure instead of a skip.
REQUIRE_SHARED = "SEARCHER_REQUIRE_SHARED"
GOLD_ID = "000_d8f0162b6785f52f"
#: Its document id once indexed: the seed's path below the seeds folder, suffix included.
GOLD_DOC = f"{GOLD_ID}.txt"
#: The shipped seed's gold record (a copy of ../shared/gold's), so its tests run on a bare clone.
GOLD = REPO / "tests" / "data" / "gold" / f"{GOLD_ID}.json"


def shared_data(*parts: str, required: bool = True) -> Path | None:
    """``../shared/<parts>``; when it is missing, skip the test with a one-line reason (fail if
    SEARCHER_REQUIRE_SHARED is set), or return None if the test can do without it."""
    path = SHARED.joinpath(*parts)
    if path.exists():
        return path
    reason = f"{path} not found (development data beside the checkout)"
    if os.environ.get(REQUIRE_SHARED):
        pytest.fail(f"{reason}, and {REQUIRE_SHARED} is set")
    if required:
        pytest.skip(reason)
    return None


#: Set (by .ci/run) to the URL of a running OpenSearch 2.x cluster (tools/opensearch/cluster).
TEST_OPENSEARCH = "SEARCHER_TEST_OPENSEARCH"
#: Set (by .ci/run) to the URL of a running OpenSearch 3.x cluster (cluster start --version 3.9.0).
TEST_OPENSEARCH_3 = "SEARCHER_TEST_OPENSEARCH_3"
#: The OpenSearch major versions tests that take a ``version`` run on (see opensearch_url): the
#: 3.x runs are marked slow, so the quick run (-m "not slow") stays as long as with one cluster.
OPENSEARCH_VERSIONS = ("2", pytest.param("3", marks=pytest.mark.slow))
#: Set (by .ci/run) to make a missing cluster a failure instead of a skip.
REQUIRE_OPENSEARCH = "SEARCHER_REQUIRE_OPENSEARCH"


def opensearch_url(version: str = "2") -> str:
    """The URL (no trailing slash) of the test cluster of OpenSearch ``version`` (2:
    SEARCHER_TEST_OPENSEARCH, 3: SEARCHER_TEST_OPENSEARCH_3); when it is unset, skip the test
    with a one-line reason (fail if SEARCHER_REQUIRE_OPENSEARCH is set)."""
    variable = TEST_OPENSEARCH if version == "2" else TEST_OPENSEARCH_3
    url = os.environ.get(variable, "").strip().rstrip("/")
    if url:
        return url
    extra = "" if version == "2" else " --version 3.9.0"
    reason = (f"{variable} not set (start a test cluster: "
              f"tools/opensearch/cluster start --nodes 2 --port auto --dir DIR{extra})")
    if os.environ.get(REQUIRE_OPENSEARCH):
        pytest.fail(f"{reason}, and {REQUIRE_OPENSEARCH} is set")
    pytest.skip(reason)


def drop_cluster_index(url: str, name: str) -> None:
    """Delete every index the engine made on the test cluster for ``name`` (its physical
    indexes and its lock), and nothing else."""
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[url])
    try:
        client.indices.delete(index=f"{name}--*", ignore_unavailable=True, allow_no_indices=True)
    finally:
        client.close()


# ---------------------------------------------------------------------------- one contract, every engine

#: Five news articles with every kind of metadata (the contract tests', and the cluster
#: engine's tests of giving the Whoosh engine's answers).
NEWS = [
    Document(doc_id="cbs", title="U.S. and Taliban agree to re-set", source="CBS News", authors=["Ann Martin"],
             sections=["Mixed messages"], published=datetime(2019, 11, 19, 22, 30), url="https://cbsnews.com/a",
             language="en",
             body="Khalilzad said the re-set of the talks in Kabul would cut violence. Al-Qaeda was named. "
                  "The peace talks went on; negotiators met militants."),
    Document(doc_id="noise", title="They're selling sets", source="AppleInsider", published=datetime(2019, 11, 18, 9),
             body="They're selling sets of mixed cables and messages about the MacBook Pro and the taliban."),
    Document(doc_id="mac", title="MacBook Pro review", source="AppleInsider", published=datetime(2019, 12, 2),
             body="The new MacBook Pro keyboard. A reset button. Talks with Apple about peace of mind."),
    Document(doc_id="old", title="COVID-19 notes", source="Wired", published=datetime(2020, 3, 1),
             body="COVID-19 spread; covid cases at 19 sites. Iraq and Kabul reported cases."),
    Document(doc_id="iraq", title="Taliban and Iraq", source="Reuters",
             body="The Taliban talks and Iraq: militants in Kabul negotiate a peace deal."),
]


def make_docs() -> list[Document]:
    """Three short documents: two dated, from two sources; one undated without a source."""
    return [
        Document(doc_id="a", title="Kabul peace talks resume", body="Negotiators met in Doha.", source="Wire",
                 published=datetime(2020, 10, 1)),
        Document(doc_id="b", title="Harvest report", body="Cocoa arrivals rose in Bahia.", source="Farm News",
                 published=datetime(2019, 5, 2), authors=["Ann Lee"]),
        Document(doc_id="c", title="Undated note", body="Peace in our time, said nobody."),
    ]


#: The engines the library's contract tests run on: a Whoosh folder, and an index on the
#: test cluster of each OpenSearch major version (marked ``cluster``, 3.x also ``slow``, as
#: OPENSEARCH_VERSIONS; skipped without SEARCHER_TEST_OPENSEARCH / _3).
ENGINES = ["whoosh", pytest.param("cluster", marks=pytest.mark.cluster),
           pytest.param("cluster3", marks=[pytest.mark.cluster, pytest.mark.slow])]


class Indexes:
    """Makes SearchIndexes on one engine (``whoosh``: folders under ``folder``; ``cluster``:
    uniquely named indexes on the test cluster) and removes them all in :meth:`close`."""

    def __init__(self, engine: str, folder: Path) -> None:
        self.engine = engine
        self.folder = folder
        self.url = opensearch_url("3" if engine == "cluster3" else "2") if engine.startswith("cluster") else None
        self.made: list[tuple[object, str]] = []

    def __call__(self, docs=(), **kwargs):
        """A new index holding ``docs`` (SearchIndex keyword arguments: ``settings=``, ``wait=``)."""
        import uuid

        name = f"t-contract-{uuid.uuid4().hex[:10]}"
        ix = self.open(f"{self.url}/{name}" if self.url else self.folder / name, **kwargs)
        docs = list(docs)
        if docs:
            ix.add(docs)
        return ix

    def open(self, location, **kwargs):
        """Another handle on an index (say, the writer another process would be)."""
        from searcher import SearchIndex

        ix = SearchIndex(location, **kwargs)
        self.made.append((ix, str(location).rsplit("/", 1)[-1]))
        return ix

    def close(self) -> None:
        for ix, name in self.made:
            ix.close()  # type: ignore[attr-defined]
            if self.url:
                drop_cluster_index(self.url, name)


@pytest.fixture(scope="module", params=ENGINES)
def engine_name(request) -> str:
    """Each engine in turn (module scope: a module's indexes are built once per engine)."""
    return request.param


@pytest.fixture(scope="module")
def module_indexes(engine_name: str, tmp_path_factory):
    """Indexes on the current engine, kept for the module (for tests that only read)."""
    made = Indexes(engine_name, tmp_path_factory.mktemp(engine_name))
    yield made
    made.close()


@pytest.fixture
def indexes(engine_name: str, tmp_path: Path):
    """Indexes on the current engine for one test (it may write to them)."""
    made = Indexes(engine_name, tmp_path)
    yield made
    made.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped seeds/ folder."""
    target = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", target)
    return target


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def built_index(seeds_dir: Path, index_dir: Path):
    """A SearchIndex built from the shipped seeds."""
    from searcher import SearchIndex

    ix = SearchIndex(index_dir)
    ix.update(seeds_dir)
    yield ix
    ix.close()


@pytest.fixture
def gold() -> dict:
    import json

    return json.loads(GOLD.read_text(encoding="utf-8"))


@pytest.fixture
def varied_index(tmp_path: Path):
    """A SearchIndex whose postings have every shape: long lists (several blocks), 1-3
    posting blocks, tf all 1, all equal, mixed."""
    from searcher import Document, SearchIndex

    rng = random.Random(7)
    words = "oil crude price opec barrel wheat grain export bank rate dollar yen gold coffee cocoa".split()
    docs = []
    for i in range(400):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(3, 60)))
        if i % 50 == 0:
            body += " rareword" * (1 + i % 3)
        if i in (5, 6):
            body += " twice twice"  # a block of two postings, every weight 2
        if i in (7, 8, 9):
            body += " thrice" * (i - 6)  # three postings, mixed weights
        title = " ".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
        docs.append(Document(doc_id=str(i), title=title, body=body, sections=["oil market"] if i % 7 == 0 else []))
    index = SearchIndex(tmp_path / "varied")
    index.add(docs)
    yield index
    index.close()


# ---------------------------------------------------------------------------- real processes

#: A seed article; ``write_articles`` numbers each one and gives it a unique word.
ARTICLE = "Headline number {n} about harbours\n\n" + (
    "The harbour authority said on Tuesday that traffic rose sharply in the third quarter, "
    "and officials expect the trend to continue into next year as new berths open. "
) * 4


def cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searcher", *args], capture_output=True, text=True, **kw)


def write_articles(folder: Path, count: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"article-{n:05d}.txt").write_text(ARTICLE.format(n=n) + f"Marker word{n}.\n")


# ---------------------------------------------------------------------------- made-up articles

WORDS = ("harbour tariff minister grain export council rebels ceasefire shipment inflation budget vote court "
          "refinery drought senate talks border envoy strike mine bank coffee cocoa fleet pilots union").split()


def article(seed: int, words: int = 220) -> str:
    """A long made-up article, different for every seed (random words, in sentences)."""
    rng = random.Random(seed)
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + ".")
    return " ".join(sentences)


CHROME = ("Share this story. Sign up for our newsletter. Most read today. Follow us on social media. "
          "Copyright the publisher, all rights reserved.")


# ---------------------------------------------------------------------------- a tiny embedding model

#: The tiny model's words, by topic: words of one topic get vectors near the topic's axis, so
#: "dog" is close to "cat" and far from "shares" (semantic search at toy scale).
TINY_TOPICS = {
    "pets": "cat dog puppy kitten pet vet".split(),
    "markets": "stock market shares bank price trader".split(),
    "weather": "rain storm flood weather wind snow".split(),
    "sport": "football goal match team league coach".split(),
}
TINY_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
TINY_FILLER = "the a of and in on to is was query passage".split()


def tiny_vocab() -> list[str]:
    return TINY_SPECIALS + TINY_FILLER + [w for words in TINY_TOPICS.values() for w in words]


def tiny_embeddings():
    """The tiny model's token vectors (vocab x 8): topic words on their topic's axis plus a
    little of their own; specials and fillers near zero (they add little to a mean)."""
    import numpy as np

    vocab = tiny_vocab()
    table = np.zeros((len(vocab), 8), dtype=np.float32)
    for number, words in enumerate(TINY_TOPICS.values()):
        for k, word in enumerate(words):
            row = vocab.index(word)
            table[row, number] = 1.0
            table[row, 4 + k % 4] = 0.2
    for k, word in enumerate(TINY_SPECIALS + TINY_FILLER):
        table[vocab.index(word), 4 + k % 4] = 0.05
    return table


def make_tiny_model(folder: Path, **config) -> Path:
    """A real model folder made here, no download: a WordPiece tokenizer (tokenizers) and an ONNX
    graph (onnx's helper API) whose token vectors are a Gather from ``tiny_embeddings()``, so
    a mean-pooled text vector is the mean of its tokens' rows. ``config``: searcher-model.json keys."""
    import json

    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    folder.mkdir(parents=True, exist_ok=True)
    vocab = tiny_vocab()
    tok = Tokenizer(models.WordPiece({w: i for i, w in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab.index("[CLS]")), ("[SEP]", vocab.index("[SEP]"))])
    tok.save(str(folder / "tokenizer.json"))
    table = numpy_helper.from_array(tiny_embeddings(), name="table")
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
              for name in ("input_ids", "attention_mask", "token_type_ids")]
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", 8])
    graph = helper.make_graph([helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"])],
                              "tiny", inputs, [output], initializer=[table])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(folder / "model.onnx"))
    settings = {"name": "tiny", "pooling": "mean", "max_tokens": 32, "chunk_overlap": 4} | config
    (folder / "searcher-model.json").write_text(json.dumps(settings))
    return folder


@pytest.fixture
def tiny_model(tmp_path: Path) -> Path:
    """A tiny model folder (make_tiny_model; the test extra brings onnx and the semantic extra)."""
    return make_tiny_model(tmp_path / "tiny-model")
