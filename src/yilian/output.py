"""Writing output files: atomically for regular files, straight through for devices and
pipes, and never over an input.

The rules (README, "Safety"), the same for every command with ``-o``:

- a regular file (or a new one) is written to a temporary file beside it and renamed into
  place when complete, so a failed command leaves the old file as it was;
- a symbolic link is followed: its target is replaced atomically and the link is kept;
- a character device (``/dev/null``, ``/dev/stdout``, a terminal) or a FIFO is opened and
  written through, as a shell redirect would; it is never replaced by a regular file;
- a folder, a socket or a block device is refused, and so is an output that is one of
  the command's input files;
- all of this is checked by `check_output` before a command starts its work.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import IO, Iterable, Iterator

from .errors import InputError, UsageError


def _stat(path: Path) -> os.stat_result | None:
    """stat() following links; None when nothing is there (or a link dangles)."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise InputError(f"cannot use output path: {e.strerror}", where=str(path),
                         hint="check the path and its permissions") from None


def is_stream(path: str | Path) -> bool:
    """True when `path` (after symbolic links) is a character device or a FIFO: output
    to it is written through, never renamed into place."""
    st = _stat(Path(path))
    return st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode))


def check_output(path: str | Path, inputs: Iterable[Path] = ()) -> Path:
    """Check that `path` can take a command's output, before the work starts: not one of
    `inputs` (compared after symbolic links), not a folder, socket or block device, and
    for a regular file that its folder exists and is writable. Returns `path` as a Path;
    raises UsageError (an input) or InputError (exit 2)."""
    out = Path(path)
    target = Path(os.path.realpath(out))
    for inp in inputs:
        if Path(os.path.realpath(inp)) == target:
            raise UsageError("the output file is one of the input files", where=str(out),
                             hint="write to another path; yilian never overwrites its inputs")
    st = _stat(target)
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise InputError("the output path is a folder", where=str(out), hint="give a file name")
        if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            return out  # written through, as a shell redirect
        if not stat.S_ISREG(st.st_mode):
            kind = "a socket" if stat.S_ISSOCK(st.st_mode) else "a block device" if stat.S_ISBLK(st.st_mode) else "not a regular file"
            raise InputError(f"the output path is {kind}", where=str(out),
                             hint="write to a regular file, a character device or a pipe")
    parent = target.parent
    if not parent.is_dir():
        raise InputError("the folder of the output file does not exist", where=str(out), hint="create the folder first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError("cannot write here: permission denied", where=str(out), hint="choose a writable folder")
    return out


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "wb", **open_kwargs) -> Iterator[IO]:
    """A file handle for writing `path` (see the module's rules): for a regular file, a
    temporary file beside the link's target, renamed into place when the block ends
    without an error (on any failure the target is left as it was); for a character
    device or FIFO, the device itself. Errors are InputError (exit 2)."""
    out = Path(path)
    target = Path(os.path.realpath(out))
    if is_stream(target):
        with _write_through(out, target, mode, open_kwargs) as fh:
            yield fh
        return
    from .limits import scratch, scratch_name

    parent = target.parent
    if not parent.is_dir():
        raise InputError("the folder of the output file does not exist", where=str(out), hint="create the folder first")
    tmp = scratch_name(parent, f".{target.name}.", ".tmp")
    with scratch(tmp):  # registered before it exists: removed even if killed at once
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as e:
            raise InputError(f"cannot write here: {e.strerror}", where=str(out), hint="choose a writable folder") from None
        try:
            with os.fdopen(fd, mode, **open_kwargs) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.chmod(tmp, target.stat().st_mode & 0o7777 if target.exists() else 0o644)
            except OSError:
                pass
            os.replace(tmp, target)
        except BaseException as e:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            if isinstance(e, OSError):
                raise InputError(f"cannot write file: {e.strerror}", where=str(out),
                                 hint="check the path and its permissions") from None
            raise


@contextlib.contextmanager
def _write_through(out: Path, target: Path, mode: str, open_kwargs: dict) -> Iterator[IO]:
    """Open a character device or FIFO for writing, as `>` in a shell does (a FIFO waits
    for its reader); a failed write (ENOSPC on /dev/full, EPIPE) is one InputError."""
    try:
        fh = open(target, mode, **open_kwargs)
    except OSError as e:
        raise InputError(f"cannot open for writing: {e.strerror}", where=str(out),
                         hint="check the device or pipe") from None
    try:
        try:
            yield fh
            fh.flush()
        finally:
            fh.close()
    except BrokenPipeError:
        raise  # the reader went away: not an error (cli ends quietly, as with stdout)
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", where=str(out),
                         hint="the device or pipe did not take the output") from None


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write bytes to `path` by the module's rules (see atomic_file)."""
    with atomic_file(path) as fh:
        fh.write(data)
