"""Growing the graph from a new article: `yilian source add`, `yilian draft`, `yilian add`
and `yilian check`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import ExitCode, UsageError
from .options import Command, Group, bounded, emit, graph_options, timeout_option
from ..tables import counted

ENCODING_HELP = "The article's text encoding if it is not UTF-8 (e.g. gb18030 for GBK/GB18030 files)."


def _with_folder(sources, folder: Path):
    """The graph the command works on plus the RDF files already in the user's folder."""
    from ..curation.graphfiles import folder_files
    from ..dataset.sources import Sources

    extra = tuple(f for f in folder_files(folder) if f not in sources.data)
    return Sources(tuple(sources.data) + extra, sources.default_graph)


def _gazetteer(sources):
    from ..curation.gazetteer import Gazetteer
    from ..dataset.parse import load, load_ontology

    if not sources.default_graph and not sources.data:
        return Gazetteer([], load_ontology().quads)
    return Gazetteer(load(sources).quads, load_ontology().quads)


def _refuse_violations(findings, rows=None, sheet=None):
    from ..curation.compile import SheetRefused, locate
    from ..errors import InputError

    if not findings:
        return
    if sheet is not None:
        raise SheetRefused(sheet, locate(findings, rows or {}, sheet))
    lines = [f"{f.focus} {f.path}: {f.message} [{f.shape}]" for f in findings]
    raise InputError(f"the result would not conform to the shapes ({counted(len(findings), 'violation')}); nothing was written",
                     detail="\n".join(lines))


# ---------------------------------------------------------------- source add

@click.group(cls=Group)
def source():
    """Register source documents (the articles facts are quoted from)."""


@source.command("add")
@click.argument("file", type=click.Path())
@click.option("--title", required=True, help="The headline as printed (schema:headline).")
@click.option("--date", "date", required=True, metavar="YYYY-MM-DD|YYYY-MM|YYYY|unknown",
              help="Publication date as precise as known: a day is schema:datePublished, a month or year "
                   "yl:estimatedDate; 'unknown' records that it is not known.")
@click.option("--subtitle", help="A subtitle or kicker (schema:alternativeHeadline).")
@click.option("--publication", help="The newspaper or journal, by name (found in the graph or added).")
@click.option("--issue", help="The issue number (needs --publication and a full --date).")
@click.option("--author", "authors", multiple=True, help="An author, by name (repeatable).")
@click.option("--id", "key", metavar="KEY", help="The document's key: yid:doc-KEY (default: the file name's leading "
                                                 "digits, or its name).")
@click.option("--note", help="A note on the document, e.g. how its date was inferred (yl:note).")
@click.option("--encoding", help=ENCODING_HELP)
@click.option("--into", "into", required=True, type=click.Path(file_okay=False), metavar="FOLDER",
              help="Your graph folder: source-KEY.ttl is written there.")
@timeout_option
@graph_options
def source_add(file, title, date, subtitle, publication, issue, authors, key, note, encoding, into, timeout, sources):
    """Register an article as a yl:SourceDocument in your graph folder.

    The text stays where you keep it; the graph records its file name and the SHA-256 of
    its normalised text (NFC, LF line endings, no BOM), so every quote can be checked.

    \b
    Examples:
      yilian source add 005_article.txt --title 基层医改新进展 --date 2025-10-14 \\
          --publication 大众卫生报 --issue 3220 --author 鲁红 --into mine
      yilian source add notice.txt --title 通知 --date unknown --into mine
    """
    from ..curation.graphfiles import commit, validate_plan
    from ..curation.register import plan_registration
    from ..curation.text import read_article

    folder = Path(into)
    article = read_article(file, encoding)
    ctx = _with_folder(sources, folder)

    def work():
        gaz = _gazetteer(ctx)
        reg = plan_registration(article, gaz, folder, title=title, date=date, subtitle=subtitle,
                                publication=publication, issue=issue, authors=authors, key=key, note=note)
        if reg.path.exists():
            raise UsageError("the folder already has a registration with this key", where=str(reg.path),
                             hint="choose another key with --id")
        violations = validate_plan(reg.plan, ctx.data, ctx.default_graph)
        return reg, violations

    reg, violations = bounded(work, timeout, "source add")
    _refuse_violations(violations)
    commit(reg.plan)
    new = f"; new: {', '.join(reg.new_entities)}" if reg.new_entities else ""
    click.echo(f"yilian: registered yid:doc-{reg.key} ({article.path.name}, sha256 {article.sha256[:12]}…) "
               f"in {reg.path}{new}", err=True)


# ---------------------------------------------------------------- draft

@click.command(cls=Command)
@click.argument("file", type=click.Path())
@click.option("-o", "--output", type=click.Path(), help="Write the fact sheet to this file (default: stdout).")
@click.option("--encoding", help=ENCODING_HELP)
@timeout_option
@graph_options
def draft(file, output, encoding, timeout, sources):
    """Propose candidate facts from an article, as an editable fact sheet (YAML).

    Numbers with their unit, qualifier, change and period; organizations the graph knows
    and new ones; people with posts; events with dates; alliance memberships. Every block
    has its verbatim quote and starts with accept: false. Nothing leaves this machine.
    Pass --data FOLDER so the draft finds the article's registration there.

    \b
    Examples:
      yilian draft 005_article.txt --data mine -o 005.yaml
    """
    from ..curation.draft import draft as run_draft
    from ..curation.sheet import FORMAT, render
    from ..curation.text import read_article

    article = read_article(file, encoding)
    out_dir = Path(output).resolve().parent if output and output != "-" else Path.cwd()

    def work():
        gaz = _gazetteer(sources)
        doc = gaz.document_by_hash(article.sha256)
        by_name = doc is None and gaz.document_by_file(article.path.name)
        doc = doc or by_name or None
        dr = run_draft(article, gaz, doc)
        src = "yid:" + doc.iri.rsplit("/", 1)[-1] if doc else None
        date = (doc.published or doc.estimated) if doc else None
        header = {"format": FORMAT, "source": src,
                  "article": os.path.relpath(article.path.resolve(), out_dir),
                  "sha256": article.sha256, "date": date}
        comments = {"source": ("matched by its file name: the graph records no hash for it" if by_name else None)
                    if doc else "not registered: run `yilian source add` first, then draft with --data FOLDER",
                    "date": "the document's date (resolves 今年/去年)" if date else "unknown: relative dates stay unresolved"}
        kinds = ", ".join(f"{dr.count(k)} {k}" for k in ("observation", "mention", "organization", "person",
                                                          "position", "event", "membership", "member_count"))
        preamble = [f"yilian fact sheet, drafted from {article.path.name}: {kinds}.",
                    "Review each block: set accept: true to keep it, correct or fill what is null, delete the rest.",
                    "Then: yilian add SHEET --into FOLDER (format and fields: docs/CURATION.md)."]
        return render(header, dr.blocks, comments, preamble).encode("utf-8"), src, len(dr.blocks)

    data, src, n = bounded(work, timeout, "draft")
    emit(data, output, [article.path])
    if src is None:
        click.echo(f"yilian: {article.path.name} is not registered; the sheet's source is empty "
                   "(run `yilian source add`, then draft with --data FOLDER)", err=True)
    if output and output != "-":
        click.echo(f"yilian: wrote {n} candidates to {output}", err=True)


# ---------------------------------------------------------------- add

@click.command(cls=Command)
@click.argument("sheet", type=click.Path())
@click.option("--into", "into", required=True, type=click.Path(file_okay=False), metavar="FOLDER",
              help="Your graph folder: facts-KEY.ttl is written (or extended) there.")
@click.option("--article", type=click.Path(), help="The article's text, if not where the sheet's 'article' says.")
@click.option("--encoding", help=ENCODING_HELP)
@timeout_option
@graph_options
def add(sheet, into, article, encoding, timeout, sources):
    """Add the accepted facts of a curated fact sheet to your graph folder.

    Every quote is checked verbatim against the registered text (whose hash must match),
    every reference must resolve, dates must not be more precise than the quote, and the
    result must conform to the shapes; otherwise nothing is written and every problem is
    listed (exit 2).

    \b
    Examples:
      yilian add 005.yaml --into mine
      yilian query --data mine 'SELECT ?f ?q WHERE { ?f yl:source yid:doc-005 ; yl:quote ?q }'
    """
    from ..curation.compile import compile_sheet
    from ..curation.graphfiles import commit, validate_plan
    from ..curation.sheet import read_sheet

    folder = Path(into)
    parsed = read_sheet(sheet)
    ctx = _with_folder(sources, folder)

    def work():
        gaz = _gazetteer(ctx)
        compiled = compile_sheet(parsed, gaz, folder, article_path=Path(article) if article else None,
                                 encoding=encoding)
        violations = validate_plan(compiled.plan, ctx.data, ctx.default_graph)
        return compiled, violations

    compiled, violations = bounded(work, timeout, "add")
    _refuse_violations(violations, compiled.rows, parsed.path)
    commit(compiled.plan)
    click.echo(f"yilian: added {_n(compiled.facts, 'fact')}, {_n(compiled.entities, 'new entity', 'new entities')} "
               f"and {_n(compiled.mentions, 'mention')} of {compiled.document} to {compiled.path} "
               f"({_n(compiled.skipped, 'candidate')} not accepted)", err=True)


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


# ---------------------------------------------------------------- check

@click.command(cls=Command)
@click.option("--sources", "source_dirs", multiple=True, required=True, type=click.Path(), metavar="DIR",
              help="A folder holding the source texts (yl:corpusFile names); repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write the report to a file.")
@click.option("--encoding", help="The encoding of the source texts if not UTF-8.")
@timeout_option
@graph_options
def check(source_dirs, fmt, output, encoding, timeout, sources):
    """Check every fact's quote against its source text, and every recorded text hash.

    Exit 0 when every quote is verbatim (whitespace-insensitive) in its source, every
    recorded hash matches and every fact has a source and a quote; 1 when not; 2 when the
    check could not run.

    \b
    Examples:
      yilian check --sources ../shared/corpus
      yilian check --sources ../shared/corpus --sources articles --data mine --format json
    """
    from ..curation.check import check as run_check
    from ..curation.check import render
    from ..dataset.parse import load, load_ontology

    dirs = [Path(d) for d in source_dirs]

    def work():
        rep = run_check(load(sources).quads, load_ontology().quads, dirs, encoding)
        return rep.ok, render(rep, fmt)

    ok, data = bounded(work, timeout, "check")
    emit(data, output, sources.files())
    if not ok:
        sys.exit(int(ExitCode.FALSE))
