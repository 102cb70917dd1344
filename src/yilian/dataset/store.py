"""The persistent query store: an on-disk Oxigraph database built from the input files
and reused while they are unchanged.

A store is keyed by the content of its input files (and the ontology, yilian's version
and pyoxigraph's version), so a second run opens it in milliseconds instead of parsing
everything again. The cheap check is a manifest of each file's path, device, inode, size,
modification time and status-change time (ctime, which no copy tool can set back: a file
rewritten in place with its size and mtime restored, as `cp -p`, `rsync -t` or `tar x`
leave it, still gets a new ctime); file contents are hashed only when that manifest
changed, and always while a file changed less than RACY_SECONDS ago (a second write in
the same clock tick would keep its ctime). A store is built in a temporary folder and
renamed into place when complete, under a lock file; the folder is registered with
limits.scratch, so a failed or interrupted load (an error, Ctrl-C, SIGTERM, or the
parent stopping the work at --timeout or --max-memory) removes it at once, and
concurrent processes never see a half-built store.

Layout of a store folder: ``db/`` (the Oxigraph database) and ``yilian-store.json``.
By default stores live in ``$XDG_CACHE_HOME/yilian/stores/<key>/`` (``~/.cache`` when
XDG_CACHE_HOME is unset); the most recently used ones are kept. ``--store PATH`` puts
the one store for the given inputs at PATH and rebuilds it there when they change.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from .. import __version__
from .formats import format_of
from .sources import ONTOLOGY_GRAPH, Sources, ontology_files
from ..errors import InputError, UsageError
from ..limits import scratch, scratch_name, warn

META = "yilian-store.json"
#: stores kept in the default cache folder (least recently used ones are removed)
KEEP_STORES = 4
#: files at least this big are bulk-loaded straight from disk (smaller ones go through
#: parse_file, which checks encodings and policies first)
BULK_BYTES = 16 << 20
#: loads of at least this many bytes show a progress bar on a terminal
PROGRESS_BYTES = 8 << 20
#: ... and, when stderr is not a terminal, a line when they start and end (a few seconds)
LONG_LOAD_BYTES = 64 << 20
_BULK_FORMATS = {ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG}
_KEY_VERSION = 2
#: a file changed less than this many seconds ago is hashed on every run: file times come
#: from a coarse clock, so two writes in one tick can leave the same ctime
RACY_SECONDS = 2.0


def default_root() -> Path:
    """Where stores are kept unless --store says otherwise."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "yilian"


@dataclass(frozen=True)
class Inputs:
    """The files a store is built from: data files (default graph) and ontology files."""

    data: tuple[Path, ...]
    ontology: tuple[Path, ...]

    def all(self) -> list[tuple[str, Path]]:
        return [("data", p) for p in self.data] + [("ontology", p) for p in self.ontology]

    def stat_key(self) -> str:
        """Cheap identity: paths, devices, inodes, sizes, modification and status-change
        times (compared in full, never by a hash alone, so it needs no hashing library on
        the warm path). Any write to a file changes its ctime, which user tools cannot set."""
        lines = [f"yilian-store-stat {_KEY_VERSION} {__version__} {ox.__version__}"]
        for role, p in self.all():
            try:
                st = p.stat()
            except OSError as e:
                raise InputError(f"cannot read file: {e.strerror}", where=str(p), hint="check the path") from None
            lines.append(f"{role} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_dev} {st.st_ino} "
                         f"{p.resolve()}")
        return "\n".join(lines)

    def racy(self) -> bool:
        """True when a file changed less than RACY_SECONDS ago: its stat_key cannot be
        trusted yet (another write in the same clock tick would not change it), so it is
        not recorded and the contents are hashed again next time."""
        now = time.time_ns()
        for _, p in self.all():
            try:
                st = p.stat()
            except OSError:
                return True
            if now - max(st.st_ctime_ns, st.st_mtime_ns) < RACY_SECONDS * 1e9:
                return True
        return False

    def content_key(self) -> str:
        """What the store holds: the bytes and formats of the files, in order."""
        import hashlib

        h = hashlib.sha256(f"yilian-store {_KEY_VERSION} {__version__} {ox.__version__}\n".encode())
        for role, p in self.all():
            fh = hashlib.sha256()
            try:
                with open(p, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        fh.update(block)
            except OSError as e:
                raise InputError(f"cannot read file: {e.strerror}", where=str(p), hint="check the path") from None
            h.update(f"{role}\0{p.suffix.lower()}\0{fh.hexdigest()}\n".encode())
        return h.hexdigest()

    def size(self) -> int:
        return sum(p.stat().st_size for _, p in self.all())


#: the process that has opened an on-disk store (RocksDB starts background threads)
_rocksdb_pid: int | None = None


def _fork_safe() -> bool:
    """False in a child forked from a process that had opened an on-disk store: RocksDB's
    background threads do not survive fork(), and a flush would wait for them forever.
    (yilian itself forks before it opens a store; this guards library callers and tests.)"""
    return _rocksdb_pid is None or _rocksdb_pid == os.getpid()


def _opened(store: ox.Store) -> ox.Store:
    global _rocksdb_pid
    _rocksdb_pid = os.getpid()
    return store


#: the folder of each store opened in this process, by id (the store is kept, so ids stay unique)
opened_folders: dict[int, tuple[ox.Store, Path]] = {}


def _read_only(db: Path) -> ox.Store:
    _opened(None)
    store = ox.Store.read_only(str(db))
    opened_folders[id(store)] = (store, db.parent)  # indexes kept beside it (explore/search.py)
    return store


def inputs_for(sources: Sources, with_ontology: bool = True) -> Inputs:
    return Inputs(tuple(sources.files()), tuple(ontology_files()) if with_ontology else ())


# ---------------------------------------------------------------- opening

def open_store(sources: Sources, *, store_path: str | Path | None = None, progress: bool = True,
               with_ontology: bool = True) -> ox.Store:
    """A read-only on-disk store of `sources` (data in the default graph, named graphs
    kept, the ontology in ONTOLOGY_GRAPH), built if needed; query it with
    use_default_graph_as_union=True, as the in-memory memory_store."""
    if not _fork_safe():
        return memory_store(sources, progress=progress, with_ontology=with_ontology)
    inputs = inputs_for(sources, with_ontology)
    if store_path is not None:
        return _open_at(Path(store_path), inputs, progress)
    root = default_root()
    try:
        (root / "stores").mkdir(parents=True, exist_ok=True)
        (root / "manifests").mkdir(parents=True, exist_ok=True)
    except OSError:
        # no writable cache (a read-only home): fall back to a store in memory
        return memory_store(sources, progress=progress, with_ontology=with_ontology)
    return _open_cached(root, inputs, progress)


def warm_folder(sources: Sources, *, store_path: str | Path | None = None,
                with_ontology: bool = True) -> Path | None:
    """The folder of the complete on-disk store of `sources` when the cheap check (the
    files' identities: stat_key) finds one, without opening its database: for what is
    kept beside the database (the search index, explore/search.py). None when the store
    would have to be built or rebuilt, or its contents hashed (open_store does that)."""
    if not _fork_safe():
        return None
    inputs = inputs_for(sources, with_ontology)
    if store_path is not None:
        return _warm_at(Path(store_path), inputs, inputs.stat_key())
    return _warm_cached(default_root(), inputs, inputs.stat_key())


def _warm_cached(root: Path, inputs: Inputs, stat_key: str) -> Path | None:
    manifest = _manifest(root, stat_key)
    try:
        doc = json.loads(manifest.read_text())
        key = doc["key"] if doc["stat"] == stat_key else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if key is None:
        return None
    folder = root / "stores" / key[:40]
    if not _complete(folder, key):
        return None
    _touch(folder)
    _warn_empty(folder, inputs)
    return folder


def _warm_at(path: Path, inputs: Inputs, stat_key: str) -> Path | None:
    meta = _read_meta(path)
    if meta is not None and meta.get("stat") == stat_key and (path / "db").is_dir():
        _warn_empty(path, inputs)
        return path
    return None


def _manifest(root: Path, stat_key: str) -> Path:
    return root / "manifests" / f"{zlib.crc32(stat_key.encode()):08x}-{len(stat_key)}.json"


def _open_cached(root: Path, inputs: Inputs, progress: bool) -> ox.Store:
    stat_key = inputs.stat_key()
    manifest = _manifest(root, stat_key)
    folder = _warm_cached(root, inputs, stat_key)
    if folder is not None:
        return _read_only(folder / "db")
    key = inputs.content_key()
    folder = root / "stores" / key[:40]
    if not _complete(folder, key):
        with _lock(root / "stores" / f".{key[:40]}.lock"):
            if not _complete(folder, key):  # another process may have built it meanwhile
                _build(inputs, key, folder, progress)
            else:
                _warn_empty(folder, inputs)
        _prune(root / "stores", keep=folder)
    else:
        _warn_empty(folder, inputs)
    if not inputs.racy():
        _write_json(manifest, {"key": key, "stat": stat_key})
    _touch(folder)
    return _read_only(folder / "db")


def _open_at(path: Path, inputs: Inputs, progress: bool) -> ox.Store:
    """--store PATH: one store at PATH, rebuilt in place when the inputs change."""
    meta = _read_meta(path)
    if path.exists() and meta is None:
        if not path.is_dir() or any(path.iterdir()):
            raise UsageError("this path is not a yilian store, and yilian will not overwrite it", where=str(path),
                             hint="give a new or empty folder for --store")
    stat_key = inputs.stat_key()
    if _warm_at(path, inputs, stat_key) is not None:
        return _read_only(path / "db")
    key = inputs.content_key()
    if inputs.racy():
        stat_key = None  # not recorded: hashed again next time
    if meta is not None and meta.get("key") == key and (path / "db").is_dir():
        _write_json(path / META, {**meta, "stat": stat_key})
        _warn_empty(path, inputs)
        return _read_only(path / "db")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("the folder of the store does not exist", where=str(path), hint="create the folder first")
    import shutil
    import tempfile

    with _lock(parent / f".{path.name}.lock"):
        meta = _read_meta(path)
        if not (meta is not None and meta.get("key") == key and (path / "db").is_dir()):
            tmp = Path(scratch_name(parent, f".{path.name}.build-"))
            with scratch(tmp):  # removed by the parent if this process is killed
                try:
                    tmp.mkdir(mode=0o700)
                    _build_into(inputs, key, tmp, progress, stat_key)
                    old = None
                    if path.exists():
                        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=parent))
                        os.replace(path, old / "store")
                    os.replace(tmp, path)
                    if old is not None:
                        shutil.rmtree(old, ignore_errors=True)
                except BaseException:
                    shutil.rmtree(tmp, ignore_errors=True)
                    raise
        else:
            _write_json(path / META, {**meta, "stat": stat_key})
            _warn_empty(path, inputs)
    return _read_only(path / "db")


# ---------------------------------------------------------------- building

def _build(inputs: Inputs, key: str, folder: Path, progress: bool) -> None:
    import shutil

    tmp = Path(scratch_name(folder.parent, ".build-"))
    with scratch(tmp):  # removed by the parent if this process is killed
        try:
            tmp.mkdir(mode=0o700)
            _build_into(inputs, key, tmp, progress, None)
            if folder.exists():  # an incomplete leftover (no meta file): replace it
                shutil.rmtree(folder, ignore_errors=True)
            os.replace(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _build_into(inputs: Inputs, key: str, tmp: Path, progress: bool, stat_key: str | None) -> None:
    """Load every input into a new database in tmp/db, then write tmp/yilian-store.json
    last: a folder without it is never used."""
    started = time.perf_counter()
    store = _opened(ox.Store(str(tmp / "db")))
    try:
        empty = _fill(store, inputs, progress, started)
        store.flush()
        # the search index (explore/search.py) lives in this folder too, so it goes with
        # the store; it is written on the first search, not here: a query or a validation
        # should not pay for it (about 14 s of CPU at a million triples)
    finally:
        del store
    _write_json(tmp / META, {"key": key, "stat": stat_key, "yilian": __version__, "pyoxigraph": ox.__version__,
                             "files": [str(p) for _, p in inputs.all()], "empty": empty,
                             "built_seconds": round(time.perf_counter() - started, 3)})


def memory_store(sources: Sources, *, progress: bool = True, with_ontology: bool = True) -> ox.Store:
    """The graph of `sources` in an in-memory store, loaded as the on-disk store is (big
    files bulk-loaded, a progress bar for long loads): for `yilian serve`."""
    store = ox.Store()
    _fill(store, inputs_for(sources, with_ontology), progress, time.perf_counter(), what="loading the graph")
    return store


def _fill(store: ox.Store, inputs: Inputs, progress: bool, started: float,
          what: str = "building the query store") -> list[int]:
    """Load every input into store; return the positions (in inputs.all()) of the files
    that held no triples (parse_file has warned about each)."""
    bar = _Progress(inputs.size(), enabled=progress, what=what)
    small: list[ox.Quad] = []
    empty: list[int] = []
    done = 0
    for i, (role, path) in enumerate(inputs.all()):
        graph = ONTOLOGY_GRAPH if role == "ontology" else None
        size = path.stat().st_size
        fmt = format_of(path)
        if size >= BULK_BYTES and fmt in _BULK_FORMATS:
            _check_head(path)
            if small:
                store.bulk_extend(small)
                small = []
            bar.run(path.name, done, size, lambda: _bulk_load(store, path, fmt, graph))
        else:
            from .parse import parse_file  # its checks of literals are not needed to open a store

            quads = parse_file(path)
            if not quads:
                empty.append(i)
            if graph is not None:
                quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
            small.extend(quads)
            if len(small) >= 500_000:
                store.bulk_extend(small)
                small = []
        done += size
        bar.show(path.name, done)
    if small:
        store.bulk_extend(small)
    bar.finish(time.perf_counter() - started)
    return empty


def _warn_empty(folder: Path, inputs: Inputs) -> None:
    """A store opened without parsing warns again about the input files that hold no
    triples (recorded by position when it was built: the same contents in the same order)."""
    meta = _read_meta(folder) or {}
    files = inputs.all()
    for i in meta.get("empty") or ():
        if isinstance(i, int) and 0 <= i < len(files):
            warn(f"{files[i][1]}: no triples (the file holds only comments, prefixes or an empty document)")


def _check_head(path: Path) -> None:
    with open(path, "rb") as f:
        head = f.read(65536)
    if b"\x00" in head:
        raise InputError("this is a binary file, not RDF text", where=str(path),
                         hint="give a Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML file")


def _bulk_load(store: ox.Store, path: Path, fmt, graph) -> None:
    with bulk_reading(path) as f:
        store.bulk_load(f, format=fmt, to_graph=graph)


@contextmanager
def bulk_reading(path: Path):
    """The file open for pyoxigraph's parser, a byte-order mark skipped (as parse_file
    does), and its errors turned into InputError with file:line:col: for bulk loads and
    for readers that stream a big file the same way (network.triples)."""
    from .parse import BOM

    try:
        with open(path, "rb") as f:
            if f.read(len(BOM)) != BOM:
                f.seek(0)
            yield f
    except SyntaxError as e:
        msg = str(e.msg if hasattr(e, "msg") else e)
        msg = re.sub(r"^Parser error (at line \d+ between columns \d+ and \d+|at line \d+ column \d+|"
                     r"between line \d+ column \d+ and line \d+ column \d+): ", "", msg)
        where = f"{path}:{e.lineno}:{e.offset}" if e.lineno else str(path)
        raise InputError(msg, where=where, hint="fix the syntax there") from None
    except UnicodeDecodeError as e:
        raise InputError(f"not valid UTF-8: {e.reason}", where=str(path), hint="re-encode the file as UTF-8") from None
    except (ValueError, OSError) as e:
        raise InputError(str(e), where=str(path)) from None


# ---------------------------------------------------------------- housekeeping

def _complete(folder: Path, key: str) -> bool:
    meta = _read_meta(folder)
    return meta is not None and meta.get("key") == key and (folder / "db").is_dir()


def _read_meta(folder: Path) -> dict | None:
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _write_json(path: Path, doc: dict) -> None:
    """Atomically (rename), so a reader never sees half a file."""
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w") as fh:
            json.dump(doc, fh, indent=1)
        os.replace(tmp, path)
    except OSError:
        pass  # a manifest is only a shortcut; the store stays valid without it


def _touch(folder: Path) -> None:
    try:
        os.utime(folder / META)
    except OSError:
        pass


def _prune(stores: Path, keep: Path) -> None:
    """Keep the KEEP_STORES most recently used stores; remove failed builds' leftovers."""
    import shutil

    try:
        entries = [p for p in stores.iterdir() if p.is_dir() and not p.name.startswith(".")]
        stale = time.time() - 6 * 3600  # builds of killed processes (a live build is younger)
        for p in stores.glob(".build-*"):
            if p.stat().st_mtime < stale:
                shutil.rmtree(p, ignore_errors=True)
    except OSError:
        return
    def used(p: Path) -> float:
        try:
            return (p / META).stat().st_mtime
        except OSError:
            return 0.0
    entries.sort(key=used, reverse=True)
    for p in entries[KEEP_STORES:]:
        if p != keep:
            shutil.rmtree(p, ignore_errors=True)


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive lock file, so two processes never build the same store at once."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: build-then-rename still protects readers
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class _Progress:
    """A progress bar on stderr, for loads big enough to be worth one. On a terminal it
    redraws one line; otherwise it prints a line when a long load starts and ends."""

    def __init__(self, total: int, *, enabled: bool, what: str = "building the query store"):
        self.total = max(total, 1)
        self.what = what
        self.tty = enabled and sys.stderr.isatty()
        self.enabled = enabled and total >= (PROGRESS_BYTES if self.tty else LONG_LOAD_BYTES)
        self.started = time.perf_counter()
        self.rate = 20e6  # bytes per second, refined as files finish
        if self.enabled and not self.tty:
            print(f"yilian: {what} ({total / 1e6:.0f} MB of RDF)…", file=sys.stderr, flush=True)

    def show(self, name: str, done: int) -> None:
        if not (self.enabled and self.tty):
            return
        frac = min(done / self.total, 1.0)
        elapsed = time.perf_counter() - self.started
        if elapsed > 0.5 and done:
            self.rate = done / elapsed
        filled = int(frac * 30)
        sys.stderr.write(f"\ryilian: loading {name[:30]:<30} [{'#' * filled}{'-' * (30 - filled)}] "
                         f"{frac * 100:3.0f}% {elapsed:5.1f}s")
        sys.stderr.flush()

    def run(self, name: str, done: int, size: int, fn) -> None:
        """Run one bulk load; while it runs, advance the bar by the expected rate (a bulk
        load reports no progress of its own)."""
        if not (self.enabled and self.tty):
            fn()
            return
        import threading

        error: list[BaseException] = []

        def target():
            try:
                fn()
            except BaseException as e:  # re-raised in the caller's thread
                error.append(e)

        t = threading.Thread(target=target, daemon=True)
        start = time.perf_counter()
        t.start()
        while t.is_alive():
            t.join(0.2)
            guess = min(size * 0.99, (time.perf_counter() - start) * self.rate)
            self.show(name, done + int(guess))
        if error:
            raise error[0]

    def finish(self, seconds: float) -> None:
        if not self.enabled:
            return
        if self.tty:
            sys.stderr.write("\r\x1b[K")
        done = "query store built" if self.what == "building the query store" else "graph loaded"
        print(f"yilian: {done} in {seconds:.1f}s", file=sys.stderr, flush=True)


def location(sources: Sources, store_path: str | Path | None = None) -> Path | None:
    """The folder of the store for `sources` if one is built and current (for tests and docs)."""
    inputs = inputs_for(sources)
    if store_path is not None:
        p = Path(store_path)
        meta = _read_meta(p)
        return p if meta is not None and meta.get("key") == inputs.content_key() else None
    folder = default_root() / "stores" / inputs.content_key()[:40]
    return folder if _complete(folder, inputs.content_key()) else None

