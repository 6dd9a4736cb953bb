"""An index's document vectors on disk: one file, each document's windows keyed to its text
and to the index commit they were checked against.

Why keyed twice: a vector must never stand for text the index no longer holds. Each
document's vectors carry a hash of the text they were made from (so a rebuild or a repair
re-uses what is unchanged and embeds only the rest), and the file names the index commit it
was last brought in step with: a search uses the vectors only when that is the commit it
reads. A write that crashes between the keyword commit and the vectors' save leaves a file
naming an older commit, which no search uses and the next ``searcher index`` repairs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ModelError
from ..core.files import atomic_write
from .vectors import Int8Vectors

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: The vector file's name in an index folder.
VECTORS_FILE = "vectors.npz"
#: Bytes of a text's hash (blake2b): 2^-64 odds that changed text keeps its key.
KEY_BYTES = 8


def passage_text(title: str, body: str) -> str:
    """What a document is embedded as: its title, a line break, its body."""
    return f"{title}\n{body}" if title else body


def text_key(text: str) -> bytes:
    """The hash a document's vectors are keyed to."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=KEY_BYTES).digest()


@dataclass(frozen=True, slots=True)
class StoredVectors:
    """The vectors of an index's documents: ``ids[n]`` is document number ``n`` of
    ``vectors`` (its rows where ``owners == n``), ``keys[n]`` the hash of its text.

    :param model: the model's name (``searcher-model.json``).
    :param digest: the hash of its files and settings (``config.model_digest``), never its
        path: an index folder names no file to load. Empty in files written before the digest
        was kept (they named the model's folder, which is ignored now): their model is known
        by its name alone.
    :param commit: the index commit these vectors were last checked against.
    """

    model: str
    digest: str
    commit: str
    ids: list[str]
    keys: list[bytes]
    vectors: Int8Vectors

    @classmethod
    def empty(cls, model: str, digest: str, dimensions: int) -> "StoredVectors":
        import numpy as np

        return cls(model, digest, "", [], [], Int8Vectors(np.zeros((0, dimensions), np.int8),
                                                          np.zeros(0, np.float32), np.zeros(0, np.int32)))

    def made_with(self, name: str, digest: str) -> bool:
        """Whether these vectors were made with the model ``name`` whose digest is ``digest``
        (by name alone for a file without a digest)."""
        return self.digest == digest if self.digest else self.model == name

    def __len__(self) -> int:
        return len(self.ids)

    def position(self) -> dict[str, int]:
        """doc_id -> document number."""
        return {doc_id: n for n, doc_id in enumerate(self.ids)}

    def select(self, numbers: Sequence[int]) -> "StoredVectors":
        """Only the documents ``numbers`` (in that order), renumbered 0, 1, ..."""
        import numpy as np

        chosen = np.asarray(numbers, dtype=np.int64)
        v = self.vectors
        if len(chosen) == 0:
            return StoredVectors.empty(self.model, self.digest, v.codes.shape[1])._with_commit(self.commit)
        starts = np.searchsorted(v.owners, chosen, side="left")
        ends = np.searchsorted(v.owners, chosen, side="right")
        rows = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends)])
        owners = np.repeat(np.arange(len(chosen), dtype=np.int32), ends - starts)
        return StoredVectors(self.model, self.digest, self.commit, [self.ids[i] for i in chosen],
                             [self.keys[i] for i in chosen],
                             Int8Vectors(v.codes[rows], v.scales[rows], owners))

    def without(self, doc_ids: Collection[str]) -> "StoredVectors":
        """These vectors less those of ``doc_ids`` (ids not here are ignored)."""
        gone = set(doc_ids)
        if not gone.intersection(self.ids):
            return self
        return self.select([n for n, doc_id in enumerate(self.ids) if doc_id not in gone])

    def plus(self, other: "StoredVectors") -> "StoredVectors":
        """These vectors and ``other``'s (whose ids must not be here)."""
        import numpy as np

        if not len(other):
            return self
        if not len(self):
            return StoredVectors(self.model, self.digest, self.commit, other.ids, other.keys, other.vectors)
        a, b = self.vectors, other.vectors
        return StoredVectors(self.model, self.digest, self.commit, self.ids + other.ids, self.keys + other.keys,
                             Int8Vectors(np.concatenate([a.codes, b.codes]), np.concatenate([a.scales, b.scales]),
                                         np.concatenate([a.owners, b.owners + len(self)]).astype(np.int32)))

    def _with_commit(self, commit: str) -> "StoredVectors":
        return StoredVectors(self.model, self.digest, commit, self.ids, self.keys, self.vectors)

    def stamped(self, model: str, digest: str) -> "StoredVectors":
        """The same vectors, named as made with ``model`` of ``digest`` (a file without a digest
        gets its model's when it is next saved)."""
        return StoredVectors(model, digest, self.commit, self.ids, self.keys, self.vectors)

    def at_commit(self, commit: str) -> "StoredVectors":
        """The same vectors, declared in step with index commit ``commit``."""
        return self._with_commit(commit)

    # ------------------------------------------------------------------ files

    def save(self, path: Path) -> None:
        """Write to ``path`` through a temporary file, flushed, then renamed: a crash leaves the
        old file or the new one, never half of one."""
        import numpy as np

        meta = json.dumps({"model": self.model, "digest": self.digest, "commit": self.commit})
        ids = np.array(self.ids, dtype=np.str_) if self.ids else np.zeros(0, dtype="<U1")
        keys = np.frombuffer(b"".join(self.keys), dtype=np.uint8).reshape(-1, KEY_BYTES)
        atomic_write(path, lambda handle: np.savez(handle, meta=np.array(meta), ids=ids, keys=keys,
                                                   codes=self.vectors.codes, scales=self.vectors.scales,
                                                   owners=self.vectors.owners))

    @classmethod
    def load(cls, path: Path) -> "StoredVectors | None":
        """The vectors in ``path``; None if there is no such file; ModelError if it is damaged."""
        import zipfile

        import numpy as np

        try:
            # Opened here, not by np.load: it leaves its own handle open when the zip is damaged.
            with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                ids = [str(i) for i in data["ids"]]
                keys = [bytes(row) for row in data["keys"]]
                vectors = Int8Vectors(data["codes"], data["scales"], data["owners"])
        except FileNotFoundError:
            return None
        except (OSError, EOFError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
            raise ModelError(f"{path} is not a vector file ({exc})") from None
        if vectors.codes.dtype != np.int8 or len(keys) != len(ids) or vectors.documents != len(ids) or not (
                len(vectors.codes) == len(vectors.scales) == len(vectors.owners)):
            raise ModelError(f"{path} is not a vector file (wrong shapes or types)")
        return cls(str(meta["model"]), str(meta.get("digest", "")), str(meta["commit"]), ids, keys, vectors)


def quantized(ids: list[str], keys: list[bytes], vectors: "npt.NDArray[np.float32]",
              owners: "npt.NDArray[np.int32]", model: str, digest: str) -> StoredVectors:
    """Freshly encoded window vectors of documents ``ids`` as StoredVectors (no commit yet)."""
    return StoredVectors(model, digest, "", list(ids), list(keys), Int8Vectors.quantize(vectors, owners))
