"""Chunk vectors kept as int8 with one float scale each, searched exactly with numpy.

A 384-dimension vector takes 388 bytes (384 codes + a float32 scale) instead of 1,536, and
ranking loses nothing measurable (docs/benchmarks.md). Search is an exact scan: the codes
are widened to float32 a block at a time and multiplied by the query with numpy's own
einsum loop, on one thread: BLAS would spread one product over every core, and its waiting
threads cost 20x the CPU of the scan itself on a busy machine (9 against 194 ms a query over
100,000 windows, measured); a document's score is its best window's. The scan reads every vector once per query, so its
cost grows with the collection: docs/semantic.md gives the measured limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ModelError
from ..core.files import atomic_write

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Rows widened to float32 at a time (8 MB of float32 for 384 dimensions): stays in cache.
SCAN_BLOCK = 4096


@dataclass(frozen=True, slots=True)
class Int8Vectors:
    """Window vectors of a set of documents.

    ``codes[i] * scales[i]`` approximates window ``i``'s vector; ``owners[i]`` is its
    document's number (0 .. documents-1, non-decreasing, every document has a window).
    """

    codes: "npt.NDArray[np.int8]"
    scales: "npt.NDArray[np.float32]"
    owners: "npt.NDArray[np.int32]"

    @classmethod
    def quantize(cls, vectors: "npt.NDArray[np.float32]", owners: "npt.NDArray[np.int32]") -> "Int8Vectors":
        """int8 codes of ``vectors`` (rows), each row scaled so its largest component is +-127."""
        import numpy as np

        vectors = np.asarray(vectors, dtype=np.float32)
        peak = np.abs(vectors).max(axis=1) if len(vectors) else np.zeros(0, dtype=np.float32)
        scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
        codes = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
        owners = np.asarray(owners, dtype=np.int32)
        steps = np.diff(owners)
        if len(owners) != len(codes) or (len(owners) and (owners[0] != 0 or np.any((steps < 0) | (steps > 1)))):
            raise ValueError("owners must number the documents 0, 1, ... in order, one or more rows each")
        return cls(codes, scales, owners)

    @property
    def documents(self) -> int:
        return int(self.owners[-1]) + 1 if len(self.owners) else 0

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes + self.scales.nbytes + self.owners.nbytes)

    def dequantized(self) -> "npt.NDArray[np.float32]":
        return self.codes.astype("float32") * self.scales[:, None]

    def window_scores(self, query: "npt.NDArray[np.float32]") -> "npt.NDArray[np.float32]":
        """The dot product of ``query`` with every window vector, exactly over the int8 codes."""
        import numpy as np

        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.codes.shape[1]:
            raise ModelError(f"the query vector has {query.shape[0]} dimensions, the stored vectors "
                             f"{self.codes.shape[1]}: they were made with another model")
        out = np.empty(len(self.codes), dtype=np.float32)
        for start in range(0, len(self.codes), SCAN_BLOCK):
            block = self.codes[start:start + SCAN_BLOCK].astype(np.float32)
            np.einsum("ij,j->i", block, query, out=out[start:start + SCAN_BLOCK])
        out *= self.scales
        return out

    def document_scores(self, query: "npt.NDArray[np.float32]") -> "npt.NDArray[np.float32]":
        """Each document's score: its best window's dot product with ``query``."""
        import numpy as np

        scores = self.window_scores(query)
        if len(scores) == 0:
            return scores
        starts = np.flatnonzero(np.r_[True, self.owners[1:] != self.owners[:-1]])
        return np.maximum.reduceat(scores, starts)

    def top(self, query: "npt.NDArray[np.float32]", k: int,
            allowed: "npt.NDArray[np.bool_] | None" = None) -> list[tuple[int, float]]:
        """The ``k`` best (document number, score), best first; ``allowed`` (one flag per
        document) keeps only those documents (the filters of a structured query)."""
        import numpy as np

        scores = self.document_scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf)
        k = min(k, int(np.count_nonzero(np.isfinite(scores))))
        if k <= 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.lexsort((best, -scores[best]))]
        return [(int(i), float(scores[i])) for i in best]

    # ------------------------------------------------------------------ files

    def save(self, path: Path) -> None:
        """Write to ``path`` (a ``.npz``) through a temporary file and a rename: a crash leaves
        the old file or the new one, never half of one."""
        import numpy as np

        atomic_write(path, lambda handle: np.savez(handle, codes=self.codes, scales=self.scales, owners=self.owners))

    @classmethod
    def load(cls, path: Path) -> "Int8Vectors":
        import zipfile

        import numpy as np

        try:
            with np.load(path, allow_pickle=False) as data:
                loaded = cls(data["codes"], data["scales"], data["owners"])
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ModelError(f"{path} is not a vector file: {exc}") from None
        if loaded.codes.dtype != np.int8 or loaded.codes.ndim != 2 or not (
                len(loaded.codes) == len(loaded.scales) == len(loaded.owners)):
            raise ModelError(f"{path} is not a vector file: wrong shapes or types")
        return loaded
