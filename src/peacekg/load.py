"""Load stage: parse every Turtle/TriG source into the ontology and asserted graphs.

Syntax is checked with Oxigraph's parser first because it reports the exact line and column
of an error; rdflib then builds the graphs that pySHACL and owlrl consume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph

from peacekg import mediatypes

# The source formats humans edit; their parsers come from the shared media-type table.
RDF_SUFFIXES = (".ttl", ".trig")


class LoadError(Exception):
    """A source file could not be parsed; ``str()`` is ``file:line:column: message``."""

    def __init__(self, path: Path, line: int | None, column: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        where = f"{path}:{line}:{column}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class LoadedSources:
    """The parsed sources: ontology terms, SHACL shapes and asserted instance data."""

    ontology: Graph
    shapes: Graph
    asserted: Graph
    files: list[Path] = field(default_factory=list)


def source_files(directory: Path) -> list[Path]:
    """Every Turtle/TriG file under ``directory``, in a stable order."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix in RDF_SUFFIXES and p.is_file())


def parse_file(path: Path, into: Graph | Dataset) -> None:
    """Parse one file into ``into``, raising LoadError with its location on bad syntax."""
    fmt = mediatypes.by_extension(path.suffix)
    if fmt is None or path.suffix not in RDF_SUFFIXES:
        raise LoadError(path, None, None, f"not a Turtle or TriG file: {path.suffix!r}")
    try:
        for _ in pyoxigraph.parse(path=str(path), format=fmt.rdf_format()):
            pass
    except SyntaxError as error:
        message = str(error.msg).split(": ", 1)[-1] if error.msg else str(error)
        raise LoadError(path, error.lineno, error.offset, message) from error
    except OSError as error:
        raise LoadError(path, None, None, str(error)) from error
    if isinstance(into, Dataset):
        into.parse(path, format=fmt.rdflib_format)
        return
    if fmt.kind is mediatypes.Kind.DATASET:
        scratch = Dataset()
        scratch.parse(path, format=fmt.rdflib_format)
        for s, p, o, _g in scratch.quads():
            into.add((s, p, o))
        for prefix, namespace in scratch.namespaces():
            into.bind(prefix, namespace, override=False)
        return
    into.parse(path, format=fmt.rdflib_format)


def load(ontology_dir: Path, data_dir: Path | None, shapes_file: Path) -> LoadedSources:
    """Parse ``ontology_dir`` (minus the shapes file) and ``data_dir`` into separate graphs.

    ``data_dir=None`` reads the ontology and shapes only (an update brings its own data).
    """
    ontology, shapes, asserted = Graph(), Graph(), Graph()
    files: list[Path] = []
    shapes_resolved = shapes_file.resolve()
    for path in source_files(ontology_dir):
        target = shapes if path.resolve() == shapes_resolved else ontology
        parse_file(path, target)
        files.append(path)
    if shapes_file.is_file() and shapes_resolved not in {f.resolve() for f in files}:
        parse_file(shapes_file, shapes)
        files.append(shapes_file)
    for path in source_files(data_dir) if data_dir is not None else []:
        parse_file(path, asserted)
        files.append(path)
    return LoadedSources(ontology=ontology, shapes=shapes, asserted=asserted, files=files)
