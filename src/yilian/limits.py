"""Bounded work: run a command's computation in a child process that is killed when it
runs past its time limit or holds more memory than its cap.

A thread cannot stop a running rdflib or pyoxigraph computation; a forked child that is
killed does. The child computes the command's output (bytes and a status) and sends it
back through a pipe; the parent writes it out, so nothing partial ever reaches stdout or
a file. While it waits, the parent polls the child's resident memory every
POLL_SECONDS and kills it over the cap (a watchdog: RLIMIT_AS and RLIMIT_DATA make the
child's allocations fail inside Rust code, which aborts the process, and RLIMIT_AS also
counts RocksDB's file mappings; a watchdog stops it the same way every time and can say
why). Without fork (non-POSIX), the work runs in-process without limits.

Folders and files the child creates for a while (a store being built, a temporary output
file) are registered with `scratch`; when the child is killed or dies, the parent removes
them, so an interrupted command leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import select
import signal
import struct
import threading
import time
from typing import Any, Callable, Iterator

from .errors import LimitError, UsageError, YilianError

DEFAULT_TIMEOUT = 600.0  # seconds; --timeout 0 disables the limit
ENV_TIMEOUT = "YILIAN_TIMEOUT"
ENV_MAX_MEMORY = "YILIAN_MAX_MEMORY"
#: the default memory cap is this share of the machine's memory (MemTotal, or the
#: memory.max of the cgroup the process runs in when that is lower): half leaves room for
#: the rest of the machine and for the parent process, which holds the answer it receives
MEMORY_SHARE = 0.5
#: how often the parent looks at the child's memory; at the fastest growth measured
#: (a cross-product query, ~250 MB/s) the child overshoots the cap by ~12 MB at most
POLL_SECONDS = 0.05
MAX_MEMORY_HINT = ("narrow the query or data, or raise --max-memory, e.g. --max-memory 8G; the default is "
                   "half of this machine's memory, or $YILIAN_MAX_MEMORY")

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


def default_timeout() -> float:
    """Seconds a command may run: $YILIAN_TIMEOUT, else DEFAULT_TIMEOUT (0: no limit)."""
    raw = os.environ.get(ENV_TIMEOUT)
    if raw:
        try:
            return float(raw)
        except ValueError:
            pass
    return DEFAULT_TIMEOUT


def parse_size(text: str) -> int:
    """Bytes in a size written as a number and an optional unit: ``2G``, ``512M``,
    ``1.5GiB``, ``64k``, ``1000000`` (bytes). Units are powers of 1024 (K, M, G, T, with
    an optional ``B`` or ``iB``), case-insensitive; ``0`` means "no limit" to the callers.
    Raises ValueError for anything else (negative numbers, unknown units)."""
    m = _SIZE.match(str(text))
    if not m:
        raise ValueError(f"not a size: {text!r} (write e.g. 2G, 512M or a number of bytes)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def format_size(n: int) -> str:
    """A size for a message: 2 GiB, 512 MiB, 1.5 GiB."""
    for unit, factor in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{n} bytes"


def machine_memory() -> int:
    """Bytes of memory this process may use at most: MemTotal from /proc/meminfo (or
    sysconf's physical pages), lowered to the cgroup v2 limit (/sys/fs/cgroup/memory.max)
    when one is set; 0 when neither can be read."""
    total = 0
    try:
        with open("/proc/meminfo", "rb") as f:
            for line in f:
                if line.startswith(b"MemTotal:"):
                    total = int(line.split()[1]) * 1024  # the file says kB and means KiB
                    break
    except (OSError, ValueError, IndexError):
        pass
    if not total:
        try:
            total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            total = 0
    try:
        with open("/sys/fs/cgroup/memory.max", "rb") as f:
            raw = f.read().strip()
        if raw.isdigit():
            total = min(total, int(raw)) if total else int(raw)
    except OSError:
        pass
    return max(total, 0)


def default_max_memory() -> int:
    """The memory cap in bytes when --max-memory is not given: $YILIAN_MAX_MEMORY
    (parse_size; 0 disables the cap), else MEMORY_SHARE (half) of machine_memory(); 0
    (no cap) when the machine's memory cannot be read. Raises UsageError for an
    unreadable $YILIAN_MAX_MEMORY."""
    raw = os.environ.get(ENV_MAX_MEMORY, "").strip()
    if raw:
        try:
            return parse_size(raw)
        except ValueError:
            raise UsageError(f"${ENV_MAX_MEMORY} is not a size: {raw!r}",
                             hint="write e.g. 2G or 512M, or 0 for no cap") from None
    return int(machine_memory() * MEMORY_SHARE)


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes(pid: int) -> int:
    """Resident memory of process `pid` in bytes that is its own: resident pages minus
    the shared ones (file-backed pages such as libraries and mapped database files, which
    the kernel can drop), from /proc/PID/statm. 0 when the process is gone or /proc is
    not available (not Linux)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            fields = f.read().split()
        return max(int(fields[1]) - int(fields[2]), 0) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


# ---------------------------------------------------------------- scratch paths

#: in a child of run_bounded: the pipe to the parent (for scratch messages)
_channel: int | None = None
_send_lock = threading.Lock()


def _send(fd: int, payload: Any) -> None:
    """One message to the parent: its length (8 bytes) and its pickle, written without
    copying the pickle (a command's answer can be most of the child's memory)."""
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    with _send_lock:  # a warning from another thread must not split a message
        for part in (struct.pack("!Q", len(data)), data):
            view = memoryview(part)
            while view:
                n = os.write(fd, view)
                view = view[n:]


@contextlib.contextmanager
def scratch(path: str | os.PathLike) -> Iterator[None]:
    """Mark `path` (a file or folder this process is about to create: create it inside the
    block, so that it never exists unregistered) as temporary while the block runs: if
    the process is killed meanwhile (timeout, memory cap, Ctrl-C, SIGTERM), the parent of
    run_bounded removes it. The block itself removes or renames the path on every normal
    exit; outside run_bounded this does nothing."""
    fd = _channel if _channel is not None and _channel_pid == os.getpid() else None
    if fd is not None:
        _send(fd, ("scratch", os.fspath(os.path.abspath(path))))
    try:
        yield
    finally:
        if fd is not None:
            try:
                _send(fd, ("released", os.fspath(os.path.abspath(path))))
            except OSError:
                pass


_channel_pid: int | None = None


#: warnings already given by the command running (a file read twice is reported once)
_warned: set[str] = set()


def warn(message: str) -> None:
    """Print ``yilian: warning: MESSAGE`` on stderr, from the parent process: in a child
    of run_bounded the line is sent to the parent, which prints it as it arrives (a
    child's own stderr is not the command's, e.g. under click's CliRunner). The same
    message is given once per command (run_bounded starts a command; validation reads a
    big file twice)."""
    import sys

    if message in _warned:
        return
    _warned.add(message)
    if _channel is not None and _channel_pid == os.getpid():
        try:
            _send(_channel, ("warning", message))
            return
        except OSError:
            pass
    print(f"yilian: warning: {message}", file=sys.stderr, flush=True)


def scratch_name(folder: str | os.PathLike, prefix: str, suffix: str = "") -> str:
    """A new, unused path in `folder` for a temporary file or folder (not created): the
    name to give `scratch` before creating it."""
    import secrets

    return os.path.join(os.fspath(folder), f"{prefix}{os.getpid()}-{secrets.token_hex(6)}{suffix}")


def _remove(paths: set[str]) -> None:
    import shutil

    for p in paths:
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p, ignore_errors=True)
        else:
            try:
                os.unlink(p)
            except OSError:
                pass


# ---------------------------------------------------------------- run_bounded

class _ChildFailure(Exception):
    """An unexpected exception in the child, carried back as text."""


class _Terminated(BaseException):
    """SIGTERM, raised as an exception so that cleanup code runs."""


def _raise_terminated(signum, frame):
    raise _Terminated()


def run_bounded(func: Callable[[], Any], timeout: float | None, *, what: str = "the command",
                max_memory: int | None = None) -> Any:
    """Return func() computed in a child process; raise LimitError when it runs longer
    than `timeout` seconds (None or 0: no limit) or holds more than `max_memory` bytes
    beyond what this process held when it forked the child (rss_bytes of the child minus
    rss_bytes of this process before the fork; None: default_max_memory(), 0: no cap).
    The child's YilianError is raised again here; Ctrl-C or SIGTERM kill the child and
    remove its scratch paths."""
    _warned.clear()  # one command's work: each warning once within it
    if max_memory is None:
        max_memory = default_max_memory()
    timed = bool(timeout and timeout > 0)
    if (not timed and not max_memory) or not hasattr(os, "fork"):
        return func()
    global _channel, _channel_pid
    # the child starts as a copy of this process and shares its pages until it writes
    # them: what counts against the cap is what the work adds to that
    base = rss_bytes(os.getpid()) if max_memory else 0
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        _channel, _channel_pid = write_fd, os.getpid()
        code = 0
        try:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, _raise_terminated)
            try:
                payload = ("ok", func())
            except YilianError as e:
                payload = ("error", e)
            except RecursionError:
                payload = ("limit", "the input is nested too deeply to process")
            except MemoryError:
                payload = ("memory", None)
            except (KeyboardInterrupt, _Terminated):
                payload = ("interrupted", None)
            except BaseException as e:  # noqa: BLE001 - reported by the parent
                payload = ("crash", f"{type(e).__name__}: {e}")
            try:
                _send(write_fd, payload)
            except (pickle.PicklingError, TypeError, AttributeError) as e:  # an unpicklable result
                _send(write_fd, ("crash", f"cannot return result: {e}"))
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    # parent
    os.close(write_fd)
    deadline = time.monotonic() + timeout if timed else None
    buffer = bytearray()
    messages: list = []
    scratch_paths: set[str] = set()
    old_term = None
    checked = 0.0
    if threading.current_thread() is threading.main_thread():
        old_term = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        while True:
            wait = POLL_SECONDS if max_memory else 1.0
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LimitError(
                        f"{what} did not finish within {timeout:g} seconds and was stopped",
                        hint="narrow the query or data, or raise --timeout; 0 disables the limit",
                    )
                wait = min(wait, left)
            ready, _, _ = select.select([read_fd], [], [], wait)
            now = time.monotonic()
            if max_memory and now - checked >= POLL_SECONDS:  # not on every chunk of a long answer
                checked = now
                if rss_bytes(pid) - base > max_memory:
                    raise LimitError(f"{what} needed more than {format_size(max_memory)} of memory and was stopped",
                                     hint=MAX_MEMORY_HINT)
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                buffer += chunk
                _frames(buffer, messages, scratch_paths)
    except BaseException as e:
        _kill(pid)
        _drain(read_fd, buffer, messages, scratch_paths)  # scratch paths still in the pipe
        _remove(scratch_paths)
        if isinstance(e, _Terminated):
            raise SystemExit(128 + signal.SIGTERM) from None
        raise
    finally:
        os.close(read_fd)
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)
    _, status = os.waitpid(pid, 0)
    _remove(scratch_paths)  # normally empty: the child released what it registered
    if not messages:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if sig == signal.SIGKILL:
            raise LimitError(f"{what} was killed (out of memory?)", hint=MAX_MEMORY_HINT)
        raise LimitError(f"{what} crashed{f' with signal {sig}' if sig else ''}",
                         hint="the input may be nested too deeply or too large; simplify it")
    kind, value = messages[-1]
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    if kind == "limit":
        raise LimitError(value, hint="simplify the query or data")
    if kind == "memory":
        raise LimitError(f"{what} ran out of memory", hint=MAX_MEMORY_HINT)
    if kind == "interrupted":
        raise KeyboardInterrupt
    raise _ChildFailure(value)


def _frames(buffer: bytearray, messages: list, scratch_paths: set[str]) -> None:
    """Take the complete messages off the front of buffer: scratch paths are tracked, the
    rest (the result) is kept in messages."""
    while len(buffer) >= 8:
        (size,) = struct.unpack("!Q", buffer[:8])
        if len(buffer) < 8 + size:
            return
        with memoryview(buffer) as whole, whole[8:8 + size] as body:
            kind, value = pickle.loads(body)  # no copy of a large answer
        del buffer[:8 + size]
        if kind == "scratch":
            scratch_paths.add(value)
        elif kind == "released":
            scratch_paths.discard(value)
        elif kind == "warning":
            warn(value)
        else:
            messages.append((kind, value))


def _drain(fd: int, buffer: bytearray, messages: list, scratch_paths: set[str]) -> None:
    """Read what a dead child left in the pipe (up to its end)."""
    try:
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return
            buffer += chunk
            _frames(buffer, messages, scratch_paths)
    except (OSError, pickle.UnpicklingError, ValueError, EOFError):
        return


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass

