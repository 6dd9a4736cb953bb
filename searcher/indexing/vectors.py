"""Keeping an index's document vectors in step with its documents, when a model is configured.

Run under the write lock after the keyword write, by every write of the update algorithm and
the library. Two ways, both ending in one atomic save that names the commit the vectors
now match (``searcher.semantic.store``):

* **incremental**: the vectors matched the commit before this write, and the write's
  changes are known: the changed and deleted documents' vectors are dropped and the changed
  ones embedded; kept only if the count then equals the index's.
* **reconcile** (a first build, a rebuild, a model added later or changed, a crash between
  a keyword commit and its vectors, a write that did not say what changed): every live
  document's text is read back and hashed; vectors whose text is unchanged are kept, the
  rest embedded. Progress is saved as it goes, so a stopped embedding goes on from there.

A crash anywhere leaves the old file (naming an older commit: searches do not use it) or a
file whose every vector was checked against the live text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import ModelError
from ..core.records import Document, Progress, UpdateReport
from ..engines.base import Engine
from ..semantic.config import model_digest, read_config
from ..core.model_choice import given_model
from ..semantic.dense import model_folder_for
from ..semantic.encoder import EmbeddingModel
from ..semantic.parallel import EncodingAhead
from ..semantic.store import StoredVectors, passage_text, quantized, text_key

logger = logging.getLogger(__name__)

#: Documents embedded per batch of a reconcile (then added to what is kept).
EMBED_BATCH = 4096
#: Seconds between saves of a reconcile's progress.
SAVE_EVERY = 60.0
#: Documents a write may add from code (an import) and still be embedded from the texts kept
#: as they stream by (some 30 MB); a bigger import re-reads every text instead, which costs
#: little beside embedding that many.
NOTED_MAX = 10_000


@dataclass(slots=True)
class VectorUpkeep:
    """One write's vector upkeep: the model, the vectors as they were, and what changed.

    The model is loaded only when something is to be embedded (a delete needs no network).
    The texts the write streams are encoded ahead, in worker processes, while the keyword
    index is written (``semantic.parallel.EncodingAhead``); :meth:`close` stops them, and
    every write that starts an upkeep closes it in a ``finally``.
    """

    engine: Engine
    folder: Path
    name: str
    #: the model's ``config.model_digest``, kept with the vectors (never its folder)
    digest: str
    stored: StoredVectors | None
    before: str
    jobs: int | None = None
    #: (doc_id, text) of the documents this write added or replaced (None: not known, reconcile)
    changed: list[tuple[str, str]] | None = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    _model: EmbeddingModel | None = None
    _ahead: EncodingAhead | None = None

    @property
    def model(self) -> EmbeddingModel:
        if self._model is None:
            self._model = EmbeddingModel(self.folder)
        return self._model

    def wrote(self, upserts: Iterable[Document], deletes: Iterable[str]) -> None:
        """Note a write's changes (an incremental update)."""
        for doc in upserts:
            self.note(doc)
        if self.changed is not None:
            self.deleted.extend(deletes)

    def note(self, doc: Document) -> Document:
        """Note one document written (returned, to note a stream as it goes) and start encoding
        it; past NOTED_MAX of them, the changes are not kept (reconcile)."""
        text = passage_text(doc.title, doc.body)
        self.ahead.offer(text)
        if self.changed is not None:
            if len(self.changed) < NOTED_MAX:
                self.changed.append((doc.doc_id, text))
            else:
                self.changed = None
        return doc

    @property
    def ahead(self) -> EncodingAhead:
        if self._ahead is None:
            self._ahead = EncodingAhead(lambda: self.model, str(self.folder), self.jobs)
        return self._ahead

    def close(self) -> None:
        """Stop the encoding workers, if any were started (the write is over, or failed), and let
        the model go now: an ONNX Runtime session left to the garbage collector is still alive
        when the process next forks workers (the keyword writer's), and a forked child that
        frees it at exit waits forever for its threads, which the child does not have."""
        if self._ahead is not None:
            self._ahead.close()
        self._ahead = self._model = None

    def unknown(self) -> None:
        """Note a write whose changes are not listed (a bulk write): reconcile at the end."""
        self.changed = None

    def finish(self, report: UpdateReport | None = None, progress: Progress | None = None) -> int:
        """Bring the vectors in step with the live index; returns how many documents were embedded."""
        try:
            return self._finish(report, progress)
        finally:
            self.close()

    def _finish(self, report: UpdateReport | None, progress: Progress | None) -> int:
        live = self.engine.commit_id()
        path = self.engine.vector_file()
        assert path is not None
        stored = self.stored
        if stored is not None and self.changed is not None and stored.commit == self.before:
            gone = set(self.deleted) | {doc_id for doc_id, _ in self.changed}
            changed = list(dict(self.changed).items())  # the last text of an id written twice
            fresh = self._embed(changed)
            updated = stored.without(gone).plus(fresh)
            if len(updated) == self.engine.count():
                if stored.commit != live or fresh or gone or stored.digest != self.digest:
                    updated.at_commit(live).stamped(self.name, self.digest).save(path)
                return self._done(report, len(changed))
        return self._done(report, self._reconcile(live, progress))

    # ------------------------------------------------------------------ internals

    def _done(self, report: UpdateReport | None, embedded: int) -> int:
        if report is not None:
            report.embedded += embedded
        return embedded

    def _empty(self) -> StoredVectors:
        if self.stored is not None:
            return StoredVectors.empty(self.name, self.digest, self.stored.vectors.codes.shape[1])
        return StoredVectors.empty(self.name, self.digest, self.model.dimensions)

    def _embed(self, texts: list[tuple[str, str]], progress: Progress | None = None,
               done: int = 0, total: int = 0) -> StoredVectors:
        if not texts:
            return self._empty()

        def step(finished: int, _count: int) -> None:
            if progress is not None:
                progress(done + finished, total, "embedding")

        encoded = self.ahead.encode([t for _, t in texts], progress=step)
        return quantized([d for d, _ in texts], [text_key(t) for _, t in texts], encoded.vectors,
                         encoded.owners, self.name, self.digest)

    def _reconcile(self, live: str, progress: Progress | None) -> int:
        """Every live document's vectors: kept where its text is unchanged, else embedded."""
        path = self.engine.vector_file()
        assert path is not None
        old = self.stored if self.stored is not None else self._empty()
        by_key = {key: n for n, key in enumerate(old.keys)}
        total = self.engine.count()
        kept_numbers: list[int] = []
        kept_ids: list[str] = []
        parts: list[StoredVectors] = []
        batch: list[tuple[str, str]] = []
        embedded = seen = 0
        last_save = time.monotonic()

        def assembled() -> StoredVectors:
            kept = old.select(kept_numbers)
            result = StoredVectors(self.name, self.digest, live, list(kept_ids), kept.keys, kept.vectors)
            for part in parts:
                result = result.plus(part)
            return result.at_commit(live)

        for doc_id, title, body in self.engine.texts():
            seen += 1
            text = passage_text(title, body)
            number = by_key.get(text_key(text))
            if number is not None:
                kept_numbers.append(number)
                kept_ids.append(doc_id)
                continue
            batch.append((doc_id, text))
            if len(batch) >= EMBED_BATCH:
                parts.append(self._embed(batch, progress, embedded, total))
                embedded += len(batch)
                batch = []
                if time.monotonic() - last_save > SAVE_EVERY:
                    assembled().save(path)
                    last_save = time.monotonic()
        if batch:
            parts.append(self._embed(batch, progress, embedded, total))
            embedded += len(batch)
        assembled().save(path)
        return embedded


def start(engine: Engine, model: str | None, jobs: int | None, report: UpdateReport) -> VectorUpkeep | None:
    """The upkeep a write needs (lock held, before writing), or None: no model given and no
    vectors kept, or an engine that keeps none (a warning in ``report`` if one was given).

    The model is the one given (``--model``, ``SEARCHER_MODEL``), else the one of the vectors'
    name in the user's model cache (never a path the index names: ``dense.model_folder_for``);
    a model other than theirs (by digest) replaces them all. With neither, the keyword write
    goes on and the vectors are left behind, with a warning saying what to give.
    """
    given = given_model(model)
    path = engine.vector_file()
    if path is None:
        if given is not None and model is not None:
            report.warnings.append("semantic search is an embedded-index feature for now: the documents were "
                                   "indexed for keyword search only")
        return None
    try:
        stored = StoredVectors.load(path)
    except ModelError as exc:
        report.warnings.append(f"{exc}; every document is embedded again")
        stored = None
    if given is None and stored is None:
        return None
    try:
        folder = model_folder_for(given, None if given is not None else stored)
    except ModelError as exc:
        if given is not None:
            raise
        report.warnings.append(f"{exc}; the vectors are left behind the documents until it is given")
        return None
    config = read_config(folder)
    digest = model_digest(folder, config)
    if stored is not None and not stored.made_with(config.name, digest):
        report.warnings.append(f"the vectors of {stored.model} are replaced by {config.name}'s")
        stored = None
    before = engine.commit_id() if engine.exists() and not engine.is_empty() else ""
    return VectorUpkeep(engine, folder, config.name, digest, stored, before, jobs)
