"""Writing output files atomically, and refusing to overwrite an input."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterable, Iterator

from .errors import InputError, UsageError


def check_output(path: str | Path, inputs: Iterable[Path]) -> Path:
    out = Path(path)
    try:
        target = out.resolve()
    except OSError as e:  # pragma: no cover - unusual file systems
        raise InputError(f"cannot use output path: {e}", where=str(out)) from None
    for inp in inputs:
        if inp.resolve() == target:
            raise UsageError("the output file is one of the input files", where=str(out),
                             hint="write to another path; yilian never overwrites its inputs")
    if out.is_dir():
        raise InputError("the output path is a folder", where=str(out), hint="give a file name")
    return out


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "wb", **open_kwargs) -> Iterator[IO]:
    """A file handle on a temporary file beside `path`, renamed into place when the block
    ends without an error; on any failure the target is left as it was."""
    out = Path(path)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("the folder of the output file does not exist", where=str(out), hint="create the folder first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent)
    except OSError as e:
        raise InputError(f"cannot write here: {e.strerror}", where=str(out), hint="choose a writable folder") from None
    try:
        with os.fdopen(fd, mode, **open_kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, out.stat().st_mode & 0o7777 if out.exists() else 0o644)
        except OSError:
            pass
        os.replace(tmp, out)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise InputError(f"cannot write file: {e.strerror}", where=str(out),
                             hint="check the path and its permissions") from None
        raise


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write bytes atomically (see atomic_file)."""
    with atomic_file(path) as fh:
        fh.write(data)
