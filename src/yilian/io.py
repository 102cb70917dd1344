"""Writing output files atomically, and refusing to overwrite an input."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

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


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place; on any
    failure the target is left as it was."""
    out = Path(path)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("the folder of the output file does not exist", where=str(out), hint="create the folder first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent)
    except OSError as e:
        raise InputError(f"cannot write here: {e.strerror}", where=str(out), hint="choose a writable folder") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if out.exists():
            try:
                os.chmod(tmp, out.stat().st_mode & 0o7777)
            except OSError:
                pass
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise InputError(f"cannot write file: {e.strerror}", where=str(out), hint="check the path and its permissions") from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
