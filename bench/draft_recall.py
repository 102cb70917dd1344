"""How much of the curated graph `yilian draft` proposes, on the five bundled articles.

For each document 000-004 of ../shared/corpus:

- numbers: the yl:Observation nodes of the document that have a yl:value (value and unit
  compared; 1.84 yid:unit-10k-person-time is not 18400 yid:unit-person-time), matched as
  multisets against the observation candidates of the draft: recall = matched / curated,
  precision = matched / proposed;
- organizations: the organizations (any subclass of yl:Organization) that have
  yl:mentionedIn the document; proposed if a `mention` block names it or a new
  `organization` block carries one of its Chinese names. Two settings:
  "known" uses the gazetteer of the whole bundled graph (the article was already curated,
  so this measures finding names the graph knows), "held out" builds the gazetteer without
  the document's own file graph/doc-NNN.ttl (entities that only that document names must
  be found as new candidates by their name endings).

Then the time to draft a 10,000-character article (the first 10,000 characters of the
five articles, run in a fresh process so that loading jieba's dictionary is included, and
again warm in the same process).

Run: python3 bench/draft_recall.py [--corpus ../shared/corpus] [--markdown bench/DRAFT.md]
This is a benchmark script, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from yilian import resources  # noqa: E402
from yilian.curation.draft import draft  # noqa: E402
from yilian.curation.gazetteer import Gazetteer  # noqa: E402
from yilian.curation.text import read_article  # noqa: E402
from yilian.dataset.parse import load_files, load_ontology  # noqa: E402
from yilian.dataset.sources import collect_files  # noqa: E402
from yilian.rdf.convert import to_graph  # noqa: E402

YL = "https://w3id.org/yilian/ontology#"
YID = "https://w3id.org/yilian/id/"
DOCS = ["000", "001", "002", "003", "004"]


def curated(graph, doc: str):
    import rdflib

    d = rdflib.URIRef(YID + "doc-" + doc)
    pairs = Counter()
    for o in graph.subjects(rdflib.RDF.type, rdflib.URIRef(YL + "Observation")):
        if (o, rdflib.URIRef(YL + "source"), d) not in graph:
            continue
        v = graph.value(o, rdflib.URIRef(YL + "value"))
        u = graph.value(o, rdflib.URIRef(YL + "unit"))
        if v is not None:
            pairs[(float(v), str(u) if u else None)] += 1
    orgs = {}
    org_classes = set(graph.transitive_subjects(rdflib.RDFS.subClassOf, rdflib.URIRef(YL + "Organization")))
    for cls in org_classes:
        for e in graph.subjects(rdflib.RDF.type, cls):
            if (e, rdflib.URIRef(YL + "mentionedIn"), d) in graph:
                names = {str(n) for p in (rdflib.RDFS.label, rdflib.SKOS.altLabel) for n in graph.objects(e, p)
                         if getattr(n, "language", None) in ("zh", None)}
                orgs[str(e)] = names
    return pairs, orgs


def proposed(dr):
    pairs = Counter()
    for b in dr.blocks:
        if b.kind == "observation" and b.fields.get("value") is not None:
            unit = b.fields["unit"]
            unit = YID + unit[4:] if unit and unit.startswith("yid:") else unit
            pairs[(float(b.fields["value"]), unit)] += 1
    orgs = []
    for b in dr.blocks:
        if b.kind == "mention":
            opts = [b.fields["entity"]] if b.fields["entity"] else []
            orgs.append(("known", b.fields["name"], opts))
        elif b.kind == "organization":
            orgs.append(("new", b.fields["name"], []))
    return pairs, orgs


def score_orgs(curated_orgs: dict, proposals, gaz) -> tuple[int, int, int]:
    found = set()
    good = 0
    for kind, name, opts in proposals:
        hit = False
        candidates = [e.iri for e in gaz.lookup("organization", name)] if kind == "known" else []
        for iri, names in curated_orgs.items():
            if iri in candidates or name in names:
                found.add(iri)
                hit = True
        good += hit
    return len(found), good, len(proposals)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--markdown", help="also write the results as Markdown to this file")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    files = collect_files([resources.graph_dir()])
    ontology = load_ontology().quads
    full_quads = load_files(files).quads
    graph = to_graph(full_quads + ontology)
    full = Gazetteer(full_quads, ontology)
    lines = []
    out = lines.append
    out("# `yilian draft` against the curated graph")
    out("")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    out(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, load average {load} at the start "
        f"(shared with other jobs), Python {platform.python_version()}, {time_stamp()}.")
    out("Produced by `python3 bench/draft_recall.py --markdown bench/DRAFT.md`.")
    out("")
    out("Numbers: the document's yl:Observation nodes with a yl:value, matched with the draft's observation "
        "candidates on value and unit (as multisets); precision = matched / proposed. Organizations: those with "
        "yl:mentionedIn the document, proposed by a `mention` or a new `organization` block. *known*: the draft "
        "looks names up in the whole bundled graph, which already holds the document's organizations; *held out*: "
        "the graph without the document's own file graph/doc-NNN.ttl, so what only that document names must be "
        "found by its name ending (as for a new article). Much of 003's low precision is the unrelated news on "
        "the same page.")
    out("")
    out("| doc | numbers curated | proposed | matched | recall | precision | orgs curated | "
        "found (known) | recall (known) | precision (known) | found (held out) | recall (held out) | precision (held out) |")
    out("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    tot = Counter()
    misses = []
    for doc in DOCS:
        path = next(corpus.glob(f"{doc}_*.txt"))
        article = read_article(path)
        cur_pairs, cur_orgs = curated(graph, doc)
        dr = draft(article, full, full.documents.get(YID + "doc-" + doc))
        pro_pairs, pro_orgs = proposed(dr)
        matched = sum((cur_pairs & pro_pairs).values())
        for (v, u), n in (cur_pairs - pro_pairs).items():
            misses.append(f"{doc}: {v:g} {u.rsplit('/', 1)[-1] if u else None} (x{n})")
        f_known, g_known, n_known = score_orgs(cur_orgs, pro_orgs, full)
        held_files = [f for f in files if f.name != f"doc-{doc}.ttl"]
        held_quads = load_files(held_files).quads
        held = Gazetteer(held_quads, ontology)
        dr_h = draft(article, held, held.documents.get(YID + "doc-" + doc))
        _, pro_orgs_h = proposed(dr_h)
        f_held, g_held, n_held = score_orgs(cur_orgs, pro_orgs_h, held)
        n_cur, n_pro, n_org = sum(cur_pairs.values()), sum(pro_pairs.values()), len(cur_orgs)
        tot.update(cur=n_cur, pro=n_pro, matched=matched, orgs=n_org, fk=f_known, gk=g_known, nk=n_known,
                   fh=f_held, gh=g_held, nh=n_held)
        out(f"| {doc} | {n_cur} | {n_pro} | {matched} | {pct(matched, n_cur)} | {pct(matched, n_pro)} | {n_org} | "
            f"{f_known} | {pct(f_known, n_org)} | {pct(g_known, n_known)} | {f_held} | {pct(f_held, n_org)} | "
            f"{pct(g_held, n_held)} |")
    out(f"| **all** | {tot['cur']} | {tot['pro']} | {tot['matched']} | **{pct(tot['matched'], tot['cur'])}** | "
        f"{pct(tot['matched'], tot['pro'])} | {tot['orgs']} | {tot['fk']} | **{pct(tot['fk'], tot['orgs'])}** | "
        f"{pct(tot['gk'], tot['nk'])} | {tot['fh']} | **{pct(tot['fh'], tot['orgs'])}** | {pct(tot['gh'], tot['nh'])} |")
    out("")
    out("Numbers the draft does not propose (value, unit): " + ("; ".join(misses) or "none") + ".")
    out("")
    if os.environ.get("DRAFT_NO_TIMING"):
        print("\n".join(lines))
        return 0
    # timing: a 10,000-character article
    text = "".join(read_article(next(corpus.glob(f"{d}_*.txt"))).text for d in DOCS)[:10000]
    sample = Path(sys.argv[0]).resolve().parent / ".draft-sample.txt"
    sample.write_text(text, encoding="utf-8")
    try:
        import resource

        cold, cpu = [], []
        for _ in range(3):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "yilian", "draft", str(sample), "-o", str(sample) + ".yaml"],
                           check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            cold.append(time.perf_counter() - t0)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
        art = read_article(sample)
        warm = []
        for _ in range(3):
            t0 = time.perf_counter()
            draft(art, full, None)
            warm.append(time.perf_counter() - t0)
    finally:
        sample.unlink(missing_ok=True)
        Path(str(sample) + ".yaml").unlink(missing_ok=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    out(f"Drafting a 10,000-character article (load average {load}): `yilian draft FILE -o SHEET` end to end in a new process "
        f"(Python start, loading the bundled graph, jieba's dictionary, writing the sheet) "
        f"best of 3: **{min(cold):.2f} s** wall clock (runs: {', '.join(f'{c:.2f}' for c in cold)}; CPU time "
        f"{min(cpu):.2f} s, which a busy machine inflates less); "
        f"the drafting itself, warm (jieba's dictionary loaded, the gazetteer built): **{min(warm):.2f} s**. "
        "A new process spends most of its time loading jieba's dictionary and part-of-speech table.")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.markdown:
        Path(args.markdown).write_text(report, encoding="utf-8")
    return 0


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "-"


def time_stamp() -> str:
    return time.strftime("%Y-%m-%d")


if __name__ == "__main__":
    raise SystemExit(main())
