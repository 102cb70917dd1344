"""Which format an output is written in: ``--format`` if given, else the extension of the
``-o`` file, else the command's documented default; a ``--format`` that contradicts the
extension is an error (exit 2) naming both.

RDF is written only to the extensions yilian reads back (dataset/formats.py: .ttl .turtle
.n3 .nt .ntriples .nq .nquads .trig .jsonld .json-ld .rdf .owl .xml); SPARQL results go to
.csv .tsv .json/.srj (SPARQL 1.1 Query Results JSON) .xml/.srx (SPARQL Query Results XML),
and .txt to the text table.
"""

from __future__ import annotations

from pathlib import PurePath

import pyoxigraph as ox

from ..dataset.formats import FORMATS
from ..errors import UsageError

_CANONICAL_RDF = {
    ox.RdfFormat.TURTLE: "turtle", ox.RdfFormat.N3: "turtle", ox.RdfFormat.N_TRIPLES: "ntriples",
    ox.RdfFormat.N_QUADS: "nquads", ox.RdfFormat.TRIG: "trig", ox.RdfFormat.JSON_LD: "jsonld",
    ox.RdfFormat.RDF_XML: "rdfxml",
}
#: extension -> the RDF format written to it (N3 files get Turtle, which is N3)
RDF_EXTENSIONS: dict[str, str] = {ext: _CANONICAL_RDF[f] for ext, (f, _) in FORMATS.items()}
#: extension -> the SPARQL result format (SELECT, ASK) written to it
RESULT_EXTENSIONS: dict[str, str] = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".srj": "json",
                                     ".xml": "xml", ".srx": "xml", ".txt": "table"}
_NAMES = {"turtle": "Turtle", "ntriples": "N-Triples", "nquads": "N-Quads", "trig": "TriG", "jsonld": "JSON-LD",
          "rdfxml": "RDF/XML", "csv": "CSV", "tsv": "TSV", "json": "SPARQL JSON results",
          "xml": "SPARQL XML results", "table": "a text table", "text": "text"}


def extension(output: str | None) -> str:
    """The lower-case extension of the -o file ('' for none or stdout)."""
    if not output or output == "-":
        return ""
    return PurePath(output).suffix.lower()


def choose(given: str | None, output: str | None, by_extension: dict[str, str], default: str,
           refused: dict[str, str] | None = None, names: dict[str, str] | None = None,
           default_extensions: tuple[str, ...] = ("",)) -> str:
    """The format to write: ``given`` (already canonical), else the one ``by_extension``
    names for the -o file's extension, else ``default`` — for stdout or a file whose
    extension is one of ``default_extensions`` (none, by default). Any other extension
    without --format is an error: ``-o answer.xlsx`` would otherwise get a text table.

    ``names`` overrides how a format is named in messages. ``refused`` maps extensions that name a format this output cannot be (a results
    extension for RDF …) to why. Raises UsageError (exit 2) when ``given`` contradicts the
    extension, or the extension names a format this output cannot be.
    """
    ext = extension(output)
    implied = by_extension.get(ext)
    name = {**_NAMES, **(names or {})}
    if given is not None:
        if implied is not None and implied != given:
            raise UsageError(f"--format {given} contradicts -o {output} ({ext} is {name.get(implied, implied)})",
                             hint=f"drop --format to write {name.get(implied, implied)}, "
                                  f"or name the file for {name.get(given, given)}")
        if implied is None and refused and ext in refused:
            raise UsageError(f"--format {given} contradicts -o {output}: {refused[ext]}",
                             hint="name the file for the format you want")
        return given
    if implied is not None:
        return implied
    if refused and ext in refused:
        raise UsageError(f"cannot write -o {output}: {refused[ext]}", hint="name the file for the format you want, "
                         "or give --format")
    if ext not in default_extensions:
        known = " ".join(sorted(set(by_extension) | set(e for e in default_extensions if e)))
        raise UsageError(f"cannot tell the format of -o {output} from its extension '{ext}'",
                         hint=f"name the file with one of {known}, or give --format")
    return default
