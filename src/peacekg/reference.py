"""The human-readable ontology reference: pyLODE's HTML, with an anchor for every term.

pyLODE (OntPub profile) documents classes and properties; its anchors are not always the
term's local name (``pkg:Agent`` gets ``#agent``). So that every ontology term IRI
``<ns>Term`` leads to its entry at ``/ontology#Term``, each entry also gets an anchor named
after its local name, and the SKOS concepts of the controlled vocabularies (which pyLODE
leaves out) get a section of their own. Issue 3 asks ``peacekg export`` to write this file;
the server makes it on first request when it is missing.
"""

from __future__ import annotations

import gc
import importlib
import importlib.metadata
import logging
import re
import sys
import types
import warnings
from html import escape
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, Graph, URIRef
from rdflib.term import Node

from peacekg.namespaces import DEFAULT_BASE

REFERENCE_FILE = "ontology.html"
_ENTRY = re.compile(
    r'<div class="property entity" id="([^"]+)">(.*?)<code>([^<]+)</code>', re.DOTALL
)


def _ontpub() -> type:
    """pyLODE's OntPub class, imported without its side effects.

    pyLODE 3.4.1 reads its own version from a ``pyproject.toml`` that its wheel does not ship
    (https://github.com/RDFLib/pyLODE/issues/260, fixed upstream after that release); when that
    import fails, give it its version from the installed distribution's metadata instead. Its
    ``supermodel.loader`` also calls ``logging.basicConfig(level=DEBUG)`` on import, which would
    turn every library's debug log on in the server: the root logger is restored afterwards.
    """
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        try:
            from pylode import OntPub
        except FileNotFoundError:
            for name in [m for m in sys.modules if m == "pylode" or m.startswith("pylode.")]:
                del sys.modules[name]
            shim = types.ModuleType("pylode.version")
            shim.__version__ = importlib.metadata.version("pylode")  # type: ignore[attr-defined]
            sys.modules["pylode.version"] = shim
            OntPub = importlib.import_module("pylode").OntPub
    finally:
        root.setLevel(level)
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
    assert isinstance(OntPub, type)
    return OntPub


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _label(graph: Graph, node: Node) -> str:
    for predicate in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(node, predicate):
            return str(value)
    return _local(str(node))


def _for_pylode(ontology: Graph) -> Graph:
    """A copy of ``ontology`` without its ``skos:ConceptScheme`` typings.

    pyLODE takes every concept scheme for an ontology, so the reference's title and heading
    would be the schemes' names; the schemes get a section of their own instead
    (:func:`_concept_section`, which reads the original graph).
    """
    copy = Graph()
    for prefix, namespace in ontology.namespaces():
        copy.bind(prefix, namespace, override=True)
    for triple in ontology:
        if triple[1] == RDF.type and triple[2] == SKOS.ConceptScheme:
            continue
        copy.add(triple)
    return copy


def reference_html(ontology: Graph, base_iri: str = DEFAULT_BASE) -> str:
    """pyLODE's reference of ``ontology`` with anchors named after every term's local name."""
    with warnings.catch_warnings():
        # pyLODE reads its CSS with open(...).read() and leaves the closing to the collector.
        warnings.simplefilter("ignore", ResourceWarning)
        html: str = _ontpub()(ontology=_for_pylode(ontology)).make_html()
        gc.collect()
    namespace = base_iri + "ontology#"
    anchors: set[str] = set(re.findall(r'\sid="([^"]+)"', html))

    def add_anchor(match: re.Match[str]) -> str:
        anchor, middle, iri = match.group(1), match.group(2), match.group(3)
        local = _local(iri)
        extra = ""
        if iri.startswith(namespace) and local != anchor and local not in anchors:
            anchors.add(local)
            extra = f'<span id="{escape(local)}" class="term-anchor"></span>'
        return f'{extra}<div class="property entity" id="{anchor}">{middle}<code>{iri}</code>'

    html = _ENTRY.sub(add_anchor, html)
    concepts = _concept_section(ontology, namespace, base_iri, anchors)
    if concepts:
        marker = re.search(r'<div[^>]*id="namespaces"[^>]*>', html)
        if marker:
            html = html[: marker.start()] + concepts + html[marker.start() :]
        else:
            html = html.replace("</body>", concepts + "</body>", 1)
    return html


def _concept_section(ontology: Graph, namespace: str, base_iri: str, anchors: set[str]) -> str:
    """A section listing each SKOS concept scheme and its concepts, one anchor per concept."""
    schemes = sorted(
        {s for s in ontology.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)},
        key=lambda s: _label(ontology, s).lower(),
    )
    if not schemes:
        return ""
    out = [
        '<div class="section" id="vocabularies"><h2>Controlled vocabularies</h2>',
        "<p>SKOS concepts used as values of the properties above.</p>",
    ]
    for scheme in schemes:
        local = _local(str(scheme))
        scheme_id = local if local not in anchors else f"scheme-{local}"
        anchors.add(scheme_id)
        out.append(
            f'<div class="property entity" id="{escape(scheme_id)}">'
            f"<h3>{escape(_label(ontology, scheme))}</h3>"
            f"<p><code>{escape(str(scheme))}</code></p><dl>"
        )
        concepts = sorted(
            {c for c in ontology.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)},
            key=lambda c: _label(ontology, c).lower(),
        )
        for concept in concepts:
            iri = str(concept)
            ids = []
            if iri.startswith(namespace):
                ids.append(_local(iri))
            else:
                # CAMEO codes live in <base>ontology/cameo#<code>; /ontology/cameo redirects to
                # /ontology and the browser keeps the fragment, so the code is the anchor too.
                ids.append(_local(iri))
                ids.append("cameo-" + _local(iri))
            fresh = [i for i in ids if i not in anchors]
            anchors.update(fresh)
            spans = "".join(f'<span id="{escape(i)}"></span>' for i in fresh[1:])
            first = f' id="{escape(fresh[0])}"' if fresh else ""
            definition = next(
                (
                    str(v)
                    for p in (SKOS.definition, RDFS.comment)
                    for v in ontology.objects(concept, p)
                ),
                "",
            )
            out.append(
                f"<dt{first}>{spans}{escape(_label(ontology, concept))} "
                f"<code>{escape(iri)}</code></dt><dd>{escape(definition)}</dd>"
            )
        out.append("</dl></div>")
    out.append("</div>")
    return "".join(out)


def write_reference(ontology: Graph, target_dir: Path, base_iri: str = DEFAULT_BASE) -> Path:
    """Write the reference to ``target_dir/ontology.html`` (atomically) and return its path."""
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / REFERENCE_FILE
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(reference_html(ontology, base_iri), encoding="utf-8")
    temporary.replace(path)
    return path
