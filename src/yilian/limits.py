"""Bounded work: run a command's computation in a child process that is killed when it
runs past its time limit.

A thread cannot stop a running rdflib or pyoxigraph computation; a forked child that is
killed does. The child computes the command's output (bytes and a status) and sends it
back through a pipe; the parent writes it out, so nothing partial ever reaches stdout or
a file. Without fork (non-POSIX), the work runs in-process without a limit.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from typing import Any, Callable

from .errors import LimitError, YilianError

DEFAULT_TIMEOUT = 600.0  # seconds; --timeout 0 disables the limit
ENV_TIMEOUT = "YILIAN_TIMEOUT"


def default_timeout() -> float:
    raw = os.environ.get(ENV_TIMEOUT)
    if raw:
        try:
            return float(raw)
        except ValueError:
            pass
    return DEFAULT_TIMEOUT


class _ChildFailure(Exception):
    """An unexpected exception in the child, carried back as text."""


def run_bounded(func: Callable[[], Any], timeout: float | None, *, what: str = "the command") -> Any:
    """Return func() computed in a child process, or raise LimitError after `timeout` s."""
    if not timeout or timeout <= 0 or not hasattr(os, "fork"):
        return func()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        code = 0
        try:
            try:
                payload = ("ok", func())
            except YilianError as e:
                payload = ("error", e)
            except RecursionError:
                payload = ("limit", "the input is nested too deeply to process")
            except MemoryError:
                payload = ("limit", "out of memory")
            except BaseException as e:  # noqa: BLE001 - reported by the parent
                payload = ("crash", f"{type(e).__name__}: {e}")
            try:
                data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as e:  # an unpicklable result
                data = pickle.dumps(("crash", f"cannot return result: {e}"))
            view = memoryview(data)
            while view:
                n = os.write(write_fd, view)
                view = view[n:]
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    # parent
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    chunks = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LimitError(
                    f"{what} did not finish within {timeout:g} seconds and was stopped",
                    hint="narrow the query or data, or raise --timeout; 0 disables the limit",
                )
            ready, _, _ = select.select([read_fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    except BaseException:
        _kill(pid)
        raise
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if sig == signal.SIGKILL:
            raise LimitError(f"{what} was killed (out of memory?)", hint="use a smaller input or an external SPARQL server with --endpoint")
        raise LimitError(f"{what} crashed{f' with signal {sig}' if sig else ''}",
                         hint="the input may be nested too deeply or too large; simplify it")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    if kind == "limit":
        raise LimitError(value, hint="simplify the query or data")
    raise _ChildFailure(value)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


# ---------------------------------------------------------------- memory

ENV_MAX_MEMORY = "YILIAN_MAX_MEMORY"

_UNITS = {"": 1, "B": 1,
          "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10,
          "M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20,
          "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30,
          "T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}


def parse_size(text: str) -> int:
    """Bytes in a size such as "512M", "2G", "1.5GiB" or "1048576" (units are binary:
    K/KB/KiB = 1024 bytes, M = 1024², G = 1024³, T = 1024⁴; case is ignored).
    Raises ValueError with a one-line reason for anything else, or for a size below 1 byte."""
    raw = text.strip()
    number = raw.rstrip("bBiIkKmMgGtT ")
    unit = raw[len(number):].strip().upper()
    if unit not in _UNITS:
        raise ValueError(f"unknown unit '{raw[len(number):].strip()}' in '{text}' (use K, M, G or T, e.g. 512M or 2G)")
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"'{text}' is not a size (write a number and a unit, e.g. 512M or 2G)") from None
    try:
        size = int(value * _UNITS[unit])
    except (OverflowError, ValueError):  # inf, nan
        size = 0
    if size < 1:
        raise ValueError(f"'{text}' is not a positive size (e.g. 512M or 2G)")
    return size


def default_max_memory() -> int:
    """The memory cap in bytes when none is given: $YILIAN_MAX_MEMORY if set and valid,
    else half of the machine's RAM (MemTotal in /proc/meminfo; 4 GiB where that file
    does not exist)."""
    raw = os.environ.get(ENV_MAX_MEMORY)
    if raw:
        try:
            return parse_size(raw)
        except ValueError:
            pass
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024 // 2  # the figure is in KiB
    except (OSError, ValueError, IndexError):
        pass
    return 4 << 30


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes(pid: int) -> int:
    """Resident memory of process `pid` in bytes (the second field of /proc/PID/statm,
    in pages); 0 when it cannot be read (the process is gone, or no /proc)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0
