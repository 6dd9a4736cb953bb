"""An index's vectors as searches read them: the file loaded once per change, the model once.

An engine keeps one :class:`VectorReader` for its index; each search asks it for the
vectors in step with the commit the search reads (:meth:`VectorReader.side`). Vectors
checked against another commit are never used (see ``store``): the search is keyword-only
until ``searcher index`` brings them in step again.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ModelError, NoVectors
from ..core.model_choice import MODEL_ENV, given_model
from .store import StoredVectors

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .encoder import EmbeddingModel

logger = logging.getLogger(__name__)

#: Why an index without a vector file has no semantic side.
NO_VECTORS = NoVectors("the index has none (it was made without a model)", "make")


#: Models loaded by this process, by folder and digest: every reader of every index (a web
#: server's threads) encodes queries with one session (ONNX Runtime's ``run`` is thread-safe),
#: not one copy of the model each (some 100 MB). Weak: a model no reader holds is freed, as
#: are its ONNX Runtime threads (a process that later forks workers must not carry them).
_loaded: "weakref.WeakValueDictionary[tuple[str, str], EmbeddingModel]" = weakref.WeakValueDictionary()
_loading = threading.Lock()


def model_folder_for(given: str | None, stored: StoredVectors | None) -> Path:
    """The folder of the model given (a folder or a known model's name); else the model of the
    vectors' name in the user's own model cache (``fetch.cached_model``: never a path the index
    names); ModelError if there is neither."""
    from .fetch import cached_model, model_cache, model_folder

    if given is not None:
        return model_folder(given)
    if stored is None:
        raise ModelError(f"no model given: name one (a folder or a known model) or set {MODEL_ENV}")
    cached = cached_model(stored.model)
    if cached is None:
        raise ModelError(f"the index's vectors were made with {stored.model}, which is not in the model cache "
                         f"({model_cache()}): give that model to rank by meaning")
    return cached


def shared_model(folder: Path) -> "EmbeddingModel":
    """The model in ``folder``, loaded once per process (see ``_loaded``)."""
    from .config import model_digest, read_config
    from .encoder import EmbeddingModel

    key = (str(folder.resolve()), model_digest(folder, read_config(folder)))
    with _loading:
        model = _loaded.get(key)
        if model is None:
            model = _loaded[key] = EmbeddingModel(folder)
        return model


def load_model(given: str | None, stored: StoredVectors | None) -> "EmbeddingModel":
    """The model to encode queries with (see :func:`model_folder_for`); ModelError when it is
    not the one the vectors were made with (by digest: the same name is not enough)."""
    model = shared_model(model_folder_for(given, stored))
    if stored is not None and len(stored) and not stored.made_with(model.config.name, model.digest):
        made = f"{stored.model} {stored.digest}" if stored.digest else stored.model
        raise ModelError(f"the index's vectors were made with another model ({made}) than the one given "
                         f"({model.config.name} {model.digest}): search with theirs, or index again with this one")
    return model


class DenseVectors:
    """The vectors of one commit and the model to encode queries with (a ``DenseSide``)."""

    def __init__(self, stored: StoredVectors, model: "EmbeddingModel") -> None:
        self.stored, self.encoder = stored, model
        self._last: tuple[str, "npt.NDArray[np.float32]"] | None = None

    @property
    def model(self) -> str:
        return self.stored.model

    def top(self, text: str, k: int) -> list[tuple[str, float]]:
        if self._last is None or self._last[0] != text:
            self._last = (text, self.encoder.encode_queries([text])[0])
        ids = self.stored.ids
        return [(ids[n], score) for n, score in self.stored.vectors.top(self._last[1], k)]


class VectorReader:
    """The vector file of one index (see the module docstring).

    :param path: the file (it may not exist: the index has no vectors).
    :param model: the model given for queries (a folder or a known name), or None: the
        ``SEARCHER_MODEL`` folder, else the model of the vectors' name in the user's model
        cache. A model that is not the one the vectors were made with is refused; with none
        to be had, searches are keyword-only and say so once (a warning).
    """

    def __init__(self, path: Path, model: str | os.PathLike[str] | None = None) -> None:
        self.path = path
        self.given = given_model(model)
        self._stamp: tuple[int, int, int] | None = None
        self._stored: StoredVectors | None = None
        #: the vectors last checked for a model, and the model (or why there is none)
        self._checked: tuple[StoredVectors, "EmbeddingModel | NoVectors"] | None = None
        self._problem = NO_VECTORS

    def stored(self) -> StoredVectors | None:
        """The file's vectors (read again only when the file changed); None without one."""
        try:
            st = self.path.stat()
        except OSError:
            self._stamp, self._stored = None, None
            return None
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp != self._stamp:
            self._stored, self._stamp = StoredVectors.load(self.path), stamp
        return self._stored

    def side(self, commit: str) -> DenseVectors | None:
        """The vectors checked against ``commit`` with their model, or None (``why_not`` says why)."""
        self._problem = NO_VECTORS
        try:
            stored = self.stored()
        except ModelError as exc:
            self._problem = NoVectors(str(exc), "update")
            return None
        if stored is None or not len(stored):
            return None
        if stored.commit != commit:
            self._problem = NoVectors("they are behind the index's documents", "update")
            return None
        if self._checked is None or self._checked[0] is not stored:  # once per vector file
            try:
                self._checked = (stored, load_model(self.given, stored))
            except ModelError as exc:
                self._checked = (stored, NoVectors(str(exc)))
                logger.warning("semantic ranking is off: %s", exc)
        encoder = self._checked[1]
        if isinstance(encoder, NoVectors):
            self._problem = encoder
            return None
        return DenseVectors(stored, encoder)

    def why_not(self) -> NoVectors:
        """Why the last :meth:`side` gave None."""
        return self._problem
