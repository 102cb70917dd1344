"""Regenerate the console examples of docs/CURATION.md and README.md from the real CLI.

Every block between ``<!-- curation:NAME -->`` and ``<!-- /curation:NAME -->`` in those two
files is replaced by the commands of step NAME (below) and their real output, run in a
fresh temporary workspace laid out like a user's:

    WORK/project/articles/900_lianxiang.txt   (tests/data/curation's made-up article)
    WORK/project/mine/                        (the user's graph folder)
    WORK/shared/corpus -> ../shared/corpus    (the bundled articles, as beside the project)

Run from the project root: python3 docs/curation_examples.py  (add --check to only report
whether the files are up to date; exit 1 if not).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
FILES = [ROOT / "docs" / "CURATION.md", ROOT / "README.md"]
ARTICLE = ROOT / "tests" / "data" / "curation" / "900_lianxiang.txt"
CORPUS = ROOT.parent / "shared" / "corpus"

QUERY = ("SELECT ?fact ?value ?quote WHERE { ?fact yl:source yid:doc-900 ; yl:quote ?quote "
         "OPTIONAL { ?fact yl:value ?value } } ORDER BY ?fact")


def set_fields(text: str, block_id: str, **fields) -> str:
    """Edit one block of a sheet the way a curator does in an editor: replace the lines of
    the given keys (their comments go), keep everything else."""
    from yilian.curation.sheet import _scalar

    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line == f"  - id: {block_id}")
    i = start + 1
    while i < len(lines) and lines[i].strip():
        key = lines[i].strip().split(":", 1)[0]
        if key in fields:
            lines[i] = f"    {key}: {_scalar(fields[key])}"
        i += 1
    return "\n".join(lines)


def curate(sheet_path: Path) -> None:
    """What the tutorial's curator does to the draft (the same choices as tests/test_curation.py)."""
    import yaml

    text = sheet_path.read_text(encoding="utf-8")
    sheet = yaml.safe_load(text)
    ids = {b["printed"]: b["id"] for b in sheet["facts"] if b["kind"] == "observation"}
    text = set_fields(text, ids["66.2%"], accept=True, about="yid:xiangtan-county")
    text = set_fields(text, ids["1.2万例"], accept=True, about="yid:xiangtan-county-medical-community",
                      indicator={"id": "ind-county-remote-ecg-diagnoses", "zh": "医共体远程心电诊断量",
                                 "en": "remote ECG diagnoses in a county medical community",
                                 "definition": "Remote ECG diagnoses made by a county medical community."})
    for b in sheet["facts"]:
        if b["kind"] in ("person", "position", "event", "membership", "member_count"):
            text = set_fields(text, b["id"], accept=True)
        if b["kind"] == "organization" and b["name"] == "湘潭县卫生健康局":
            text = set_fields(text, b["id"], accept=True)
        if b["kind"] == "organization" and b["name"] == "湘潭县中医医院":
            text = set_fields(text, b["id"], accept=True, en="Xiangtan County Hospital of Traditional Chinese Medicine")
        if b["kind"] == "mention" and b["entity"] == "yid:xiangtan-county-people-hospital":
            text = set_fields(text, b["id"], accept=True)
    sheet_path.write_text(text, encoding="utf-8")


class Session:
    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "XDG_CACHE_HOME": str(cwd.parent / "cache"),
                    "COLUMNS": "200"}

    def yilian(self, *args: str, shown: str | None = None) -> str:
        """Run yilian; return the console transcript (the command, stdout and stderr, a
        non-zero exit status)."""
        p = subprocess.run([sys.executable, "-m", "yilian", *args], cwd=self.cwd, env=self.env,
                           capture_output=True, text=True)
        cmd = shown or "yilian " + " ".join(shlex.quote(a) for a in args)
        out = f"$ {cmd}\n" + p.stdout + p.stderr
        if p.returncode:
            out = out.rstrip("\n") + f"\n$ echo $?\n{p.returncode}\n"
        return out

    def show(self, cmd: str, text: str) -> str:
        return f"$ {cmd}\n{text}"


def block_of(sheet: str, block_id: str) -> str:
    lines = sheet.splitlines()
    start = next(i for i, line in enumerate(lines) if line == f"  - id: {block_id}")
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end]) + "\n"


def steps() -> dict[str, str]:
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="yilian-docs-") as tmp:
        work = Path(tmp)
        project = work / "project"
        (project / "articles").mkdir(parents=True)
        shutil.copy(ARTICLE, project / "articles" / ARTICLE.name)
        (work / "shared").mkdir()
        os.symlink(CORPUS, work / "shared" / "corpus")
        s = Session(project)
        out["article"] = s.show("cat articles/900_lianxiang.txt", ARTICLE.read_text(encoding="utf-8"))
        out["source-add"] = s.yilian("source", "add", "articles/900_lianxiang.txt", "--title", "莲乡医共体建设再提速",
                                     "--date", "2025-10-10", "--publication", "大众卫生报", "--issue", "3221",
                                     "--author", "王丽", "--into", "mine")
        out["source-file"] = s.show("cat mine/source-900.ttl", (project / "mine" / "source-900.ttl").read_text())
        out["draft"] = s.yilian("draft", "articles/900_lianxiang.txt", "--data", "mine", "-o", "900.yaml")
        sheet = (project / "900.yaml").read_text(encoding="utf-8")
        head = "\n".join(sheet.splitlines()[:9]) + "\n"
        out["draft-head"] = s.show("head -9 900.yaml", head)
        out["draft-obs"] = s.show("sed -n '/id: obs-002/,/^$/p' 900.yaml", block_of(sheet, "obs-002"))
        out["draft-people"] = s.show("sed -n '/id: zhang-wei/,/id: ev-001/p' 900.yaml",
                                     block_of(sheet, "zhang-wei") + "\n" + block_of(sheet, "post-001"))
        out["draft-readme"] = out["draft"] + s.show("sed -n '/id: obs-002/,/^$/p' 900.yaml", block_of(sheet, "obs-002"))
        # a sheet with a made-up quote, an invented day and an unknown entity: refused, nothing written
        curate(project / "900.yaml")
        curated = (project / "900.yaml").read_text(encoding="utf-8")
        out["curated"] = s.show("sed -n '/id: obs-004/,/^$/p' 900.yaml", block_of(curated, "obs-004"))
        bad = set_fields(curated, "obs-002", quote="全县基层诊疗量占比达76.2%", period_end="2025-09-30")
        bad = set_fields(bad, "obs-004", about="yid:xiangtan-county-medical-group")
        (project / "bad.yaml").write_text(bad, encoding="utf-8")
        out["add-refused"] = s.yilian("add", "bad.yaml", "--into", "mine")
        out["add"] = s.yilian("add", "900.yaml", "--into", "mine")
        out["query"] = s.yilian("query", "--data", "mine", QUERY)
        out["describe"] = s.yilian("describe", "张伟", "--data", "mine")
        out["network-query"] = s.yilian(
            "query", "--data", "mine",
            "SELECT ?member ?role WHERE { ?m a yl:Membership ; org:organization yid:xiangtan-county-medical-community ; "
            "org:member/rdfs:label ?member ; org:role/rdfs:label ?role ; yl:source yid:doc-900 "
            "FILTER(lang(?member) = \"zh\" && lang(?role) = \"zh\") } ORDER BY ?member")
        out["check"] = s.yilian("check", "--sources", "../shared/corpus", "--sources", "articles", "--data", "mine")
        (project / "fake.ttl").write_text(
            "@prefix yl: <https://w3id.org/yilian/ontology#> . @prefix yid: <https://w3id.org/yilian/id/> .\n"
            "yid:f001-made-up a yl:Observation ; yl:indicator yid:ind-primary-care-visit-share ; yl:about yid:xiangtan ;\n"
            "    yl:value 99 ; yl:unit yid:unit-percent ; yl:source yid:doc-001 ; yl:quote \"全市基层诊疗量占比达99%\"@zh .\n",
            encoding="utf-8")
        out["check-fake"] = (s.show("cat fake.ttl", (project / "fake.ttl").read_text()) +
                             s.yilian("validate", "--data", "fake.ttl", shown="yilian validate --data fake.ttl | tail -1")
                             .splitlines()[0] + "\n" +
                             s.yilian("validate", "--data", "fake.ttl").splitlines()[-1] + "\n" +
                             s.yilian("check", "--sources", "../shared/corpus", "--data", "fake.ttl"))
        out["check-bundled"] = s.yilian("check", "--sources", "../shared/corpus")
    # the workspace's temporary path must not leak into the docs
    return {k: re.sub(r"/tmp/yilian-docs-[^/\s]+/project/", "", v) for k, v in out.items()}


def fill(text: str, outputs: dict[str, str]) -> str:
    def repl(m: re.Match) -> str:
        name = m.group(1)
        if name not in outputs:
            raise SystemExit(f"unknown example '{name}'")
        return f"<!-- curation:{name} -->\n```console\n{outputs[name].rstrip()}\n```\n<!-- /curation:{name} -->"

    return re.sub(r"<!-- curation:([\w-]+) -->.*?<!-- /curation:\1 -->", repl, text, flags=re.S)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    args = ap.parse_args()
    outputs = steps()
    stale = []
    for f in FILES:
        old = f.read_text(encoding="utf-8")
        new = fill(old, outputs)
        if new != old:
            stale.append(f)
            if not args.check:
                f.write_text(new, encoding="utf-8")
    for f in stale:
        print(f"{'stale' if args.check else 'updated'}: {f.relative_to(ROOT)}", file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
