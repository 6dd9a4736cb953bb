"""A model folder's small config (``searcher-model.json``): how to turn its outputs into vectors.

The ONNX file says nothing about pooling, prefixes or the length a model was trained on,
and getting one wrong costs quality silently (bge pools the first token, MiniLM the mean;
e5 wants ``query: `` and ``passage: ``), so a folder without the file is refused rather
than guessed at.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ..core.errors import ModelError

#: The files a model folder holds.
CONFIG_FILE = "searcher-model.json"
ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
#: How token vectors become one vector: the mean over real tokens, or the first token's.
POOLINGS = ("mean", "cls")


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """How one embedding model is run.

    :param name: a label for messages and for keying stored vectors.
    :param pooling: ``mean`` or ``cls`` (see POOLINGS).
    :param normalize: scale each vector to length 1 (dot product = cosine).
    :param query_prefix, passage_prefix: text put before every query or passage chunk, as
        the model was trained (e5: ``query: `` / ``passage: ``; bge: an instruction for queries).
    :param max_tokens: the longest input the model takes, special tokens included.
    :param chunk_tokens: tokens of text in one passage window (at most what ``max_tokens``
        leaves after the special tokens and the prefix; 0: all of it). Shorter windows cost
        less (attention is quadratic) and keep one topic per vector.
    :param chunk_overlap: tokens two neighbouring windows share, so a sentence cut by one
        window boundary is whole in the other.
    :param max_chunks: windows embedded per document at most (its first ones): bounds the
        indexing cost of a book-length page; the keyword side still reads all of it.
    """

    name: str = "model"
    pooling: str = "mean"
    normalize: bool = True
    query_prefix: str = ""
    passage_prefix: str = ""
    max_tokens: int = 512
    chunk_tokens: int = 0
    chunk_overlap: int = 32
    max_chunks: int = 16

    def checked(self, where: str = "the model config") -> "ModelConfig":
        """This config, or ModelError naming the first value that cannot be used."""
        if self.pooling not in POOLINGS:
            raise ModelError(f"{where}: unknown pooling {self.pooling!r}: use {' or '.join(POOLINGS)}")
        if self.max_tokens < 8:
            raise ModelError(f"{where}: max_tokens must be 8 or more, not {self.max_tokens}")
        if self.chunk_tokens < 0 or self.max_chunks < 1:
            raise ModelError(f"{where}: chunk_tokens must be 0 or more and max_chunks 1 or more")
        if not 0 <= self.chunk_overlap:
            raise ModelError(f"{where}: chunk_overlap must be 0 or more")
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_config(folder: Path) -> ModelConfig:
    """The ModelConfig in ``folder/searcher-model.json``; unknown keys are an error (a typo
    such as ``polling`` would otherwise be ignored and the default used)."""
    path = folder / CONFIG_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{folder} has no {CONFIG_FILE}: a model folder holds {ONNX_FILE}, "
                         f"{TOKENIZER_FILE} and {CONFIG_FILE} (see docs/semantic.md)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path} cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path} must hold a JSON object")
    known = {f.name: f for f in fields(ModelConfig)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ModelError(f"{path}: unknown setting {unknown[0]!r}; known: {', '.join(known)}")
    defaults = ModelConfig()
    for key, value in data.items():
        expected = type(getattr(defaults, key))
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ModelError(f"{path}: {key} must be a {expected.__name__}, not {value!r}")
    return ModelConfig(**data).checked(str(path))


#: (path, size, mtime) of a model's files -> their digest: a model is hashed once per process.
_digests: dict[tuple, str] = {}


def model_digest(folder: Path, config: ModelConfig) -> str:
    """What makes a model's vectors, hashed: ``model.onnx``, ``tokenizer.json`` and the config's
    settings (blake2b, 16 hex digits). An index's vectors keep it instead of the model's path,
    so an index folder never points a search at a file to load: the search checks that the
    model its user chose is the one the vectors were made with."""
    stamps = []
    for name in (ONNX_FILE, TOKENIZER_FILE):
        try:
            st = os.stat(folder / name)
        except OSError as exc:
            raise ModelError(f"{folder} has no readable {name}: {exc.strerror}") from None
        stamps.append((str((folder / name).resolve()), st.st_size, st.st_mtime_ns))
    key = (tuple(stamps), json.dumps(config.as_dict(), sort_keys=True))
    if key not in _digests:
        digest = hashlib.blake2b(digest_size=8)
        for name in (ONNX_FILE, TOKENIZER_FILE):
            with (folder / name).open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
        digest.update(key[1].encode("utf-8"))
        _digests[key] = digest.hexdigest()
    return _digests[key]


def write_config(folder: Path, config: ModelConfig) -> None:
    """Write ``config`` into ``folder`` (the fetcher's last step)."""
    (folder / CONFIG_FILE).write_text(json.dumps(config.as_dict(), indent=2) + "\n", encoding="utf-8")
