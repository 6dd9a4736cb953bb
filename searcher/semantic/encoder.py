"""An embedding model run offline: ONNX Runtime for the network, ``tokenizers`` for its words.

A model is a folder the user has (``model.onnx``, ``tokenizer.json``, ``searcher-model.json``);
nothing is ever downloaded here. Passages are cut into windows of tokens (``chunking``)
and run in batches of similar length, so little of each batch is padding.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import ModelError
from ..core.model_choice import MODEL_ENV  # re-exported: searcher.semantic.MODEL_ENV
from .chunking import windows
from .config import ONNX_FILE, TOKENIZER_FILE, ModelConfig, model_digest, read_config

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Token positions per batch (sequences x padded length). Small batches run faster per token:
#: a batch's activations then stay in the CPU's caches. MiniLM, one thread, 128-token windows
#: (docs/benchmarks.md): 10,900 tokens per CPU second in batches of 4, 7,800 in batches of 64;
#: on 400 Reuters articles 34.0 against 24.5 documents per CPU second (512 against 8192).
BATCH_TOKENS = 512
BATCH_MAX = 64


def missing_extra(exc: ImportError) -> ModelError:
    """The error for a missing optional package of the ``semantic`` extra."""
    return ModelError(f"semantic search needs the semantic extra ({exc.name} is missing): "
                      "pip install 'searcher[semantic]'")


@dataclass(frozen=True, slots=True)
class PassageVectors:
    """The vectors of some passages: one row per window, ``owners[i]`` the passage (its index in
    the list encoded) row ``i`` belongs to; a passage's rows are contiguous and in order."""

    vectors: "npt.NDArray[np.float32]"
    owners: "npt.NDArray[np.int32]"


class EmbeddingModel:
    """One model folder, loaded: encodes queries and passages into vectors.

    :param folder: the model folder (``model.onnx``, ``tokenizer.json``, ``searcher-model.json``).
    :param threads: CPU threads ONNX Runtime may use for one call (None: its default, every core).
    """

    def __init__(self, folder: str | os.PathLike[str], *, threads: int | None = None) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise ModelError(f"no model folder at {self.folder}: fetch one with `searcher model fetch NAME` "
                             "or give the folder holding model.onnx")
        self.config: ModelConfig = read_config(self.folder)
        for name in (ONNX_FILE, TOKENIZER_FILE):
            if not (self.folder / name).is_file():
                raise ModelError(f"{self.folder} has no {name}")
        try:
            import numpy  # noqa: F401  (checked here so the error names the extra)
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise missing_extra(exc) from None
        try:
            self.tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises plain Exception on a bad file
            raise ModelError(f"{self.folder / TOKENIZER_FILE} is not a tokenizer file: {exc}") from None
        self.pad_id = (self.tokenizer.padding or {}).get("pad_id", 0)
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.head, self.tail = self._special_tokens()
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.inter_op_num_threads = 1
        # Idle ONNX threads sleep instead of spinning: spinning burns CPU another process (a
        # second encoding worker, the keyword indexer) could use, for no gain on small batches.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if threads:
            options.intra_op_num_threads = threads
        try:
            self.session = onnxruntime.InferenceSession(str(self.folder / ONNX_FILE), options,
                                                        providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime's own exception types vary between versions
            raise ModelError(f"{self.folder / ONNX_FILE} cannot be loaded: {str(exc).splitlines()[0]}") from None
        self.input_names = [i.name for i in self.session.get_inputs()]
        if not {"input_ids", "attention_mask"} <= set(self.input_names):
            raise ModelError(f"{self.folder / ONNX_FILE} takes {', '.join(self.input_names)}; "
                             "an embedding model takes input_ids and attention_mask")
        outputs = self.session.get_outputs()
        chosen = next((o for o in outputs if o.name == "last_hidden_state"), outputs[0])
        self.output_name = chosen.name
        self.pooled = len(chosen.shape) == 2  # the model pools itself (a sentence_embedding output)
        self.query_prefix = self._ids(self.config.query_prefix)
        self.passage_prefix = self._ids(self.config.passage_prefix)
        room = self.config.max_tokens - len(self.head) - len(self.tail)
        self.query_room = room - len(self.query_prefix)
        self.window = room - len(self.passage_prefix)
        if self.config.chunk_tokens:
            self.window = min(self.window, self.config.chunk_tokens)
        if self.window < 1 or self.query_room < 1:
            raise ModelError(f"{self.folder}: max_tokens {self.config.max_tokens} leaves no room for text "
                             "after the special tokens and the prefix")
        #: tokens run through the network so far, and token positions (padding included):
        #: how much of the work was padding (benchmarks/semantic_speed.py prints it)
        self.tokens_run = self.positions_run = 0
        self.dimensions = int(self.encode_queries(["dimensions"]).shape[1])
        #: the hash of the files and settings that make its vectors (``config.model_digest``)
        self.digest = model_digest(self.folder, self.config)

    @classmethod
    def from_env(cls, folder: str | os.PathLike[str] | None = None, **kwargs: Any) -> "EmbeddingModel":
        """The model in ``folder``, or in the folder ``SEARCHER_MODEL`` names; ModelError if neither."""
        folder = folder or os.environ.get(MODEL_ENV, "").strip()
        if not folder:
            raise ModelError(f"no model given: pass a model folder, or set {MODEL_ENV}")
        return cls(folder, **kwargs)

    # ------------------------------------------------------------------ public

    def encode_queries(self, texts: list[str]) -> "npt.NDArray[np.float32]":
        """One vector per query (its prefix put first; cut at ``max_tokens``)."""
        seqs = [self._wrap(self.query_prefix + ids[:self.query_room]) for ids in self._ids_batch(texts)]
        return self._run(seqs)

    def encode_passages(self, texts: list[str]) -> PassageVectors:
        """The vectors of each passage's windows (see PassageVectors)."""
        import numpy as np

        seqs: list[list[int]] = []
        owners: list[int] = []
        for number, ids in enumerate(self._ids_batch(texts)):
            for window in windows(ids, self.window, self.config.chunk_overlap, self.config.max_chunks):
                seqs.append(self._wrap(self.passage_prefix + window))
                owners.append(number)
        return PassageVectors(self._run(seqs), np.asarray(owners, dtype=np.int32))

    # ------------------------------------------------------------------ internals

    def _ids(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids) if text else []

    def _ids_batch(self, texts: list[str]) -> list[list[int]]:
        return [list(e.ids) for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def _special_tokens(self) -> tuple[list[int], list[int]]:
        """The tokens the tokenizer's template puts before and after a text ([CLS] and [SEP] for BERT)."""
        plain = self.tokenizer.encode("a", add_special_tokens=False).ids
        full = self.tokenizer.encode("a", add_special_tokens=True).ids
        for start in range(len(full) - len(plain) + 1):
            if full[start:start + len(plain)] == plain:
                return list(full[:start]), list(full[start + len(plain):])
        return [], []

    def _wrap(self, ids: list[int]) -> list[int]:
        return self.head + ids + self.tail

    def _run(self, seqs: list[list[int]]) -> "npt.NDArray[np.float32]":
        """The pooled (and normalised) vectors of ``seqs``, run longest first in batches of like length."""
        import numpy as np

        out: npt.NDArray[np.float32] | None = None
        order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i]))
        start = 0
        while start < len(order):
            longest = max(len(seqs[order[start]]), 1)
            count = max(1, min(BATCH_MAX, BATCH_TOKENS // longest))
            batch = order[start:start + count]
            vectors = self._run_batch([seqs[i] for i in batch])
            if out is None:
                out = np.empty((len(seqs), vectors.shape[1]), dtype=np.float32)
            out[batch] = vectors
            start += count
        if out is None:
            return np.empty((0, 0), dtype=np.float32)
        return out

    def _run_batch(self, seqs: list[list[int]]) -> "npt.NDArray[np.float32]":
        import numpy as np

        length = max(len(s) for s in seqs)
        ids = np.full((len(seqs), length), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(seqs), length), dtype=np.int64)
        for row, seq in enumerate(seqs):
            ids[row, :len(seq)] = seq
            mask[row, :len(seq)] = 1
        self.tokens_run += sum(len(s) for s in seqs)
        self.positions_run += ids.size
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = np.zeros_like(ids)
        try:
            hidden = self.session.run([self.output_name], feed)[0]
        except Exception as exc:
            raise ModelError(f"{self.folder / ONNX_FILE} failed to run: {str(exc).splitlines()[0]}") from None
        if self.pooled:
            vectors = np.asarray(hidden, dtype=np.float32)
        elif self.config.pooling == "cls":
            vectors = np.asarray(hidden[:, 0], dtype=np.float32)
        else:
            weights = mask[:, :, None].astype(np.float32)
            vectors = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        if vectors.ndim != 2:
            raise ModelError(f"{self.folder / ONNX_FILE} gives outputs of shape {hidden.shape}, not token vectors")
        if self.config.normalize:
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.maximum(norms, 1e-12)
        return vectors.astype(np.float32, copy=False)
