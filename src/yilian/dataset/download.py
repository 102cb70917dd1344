"""Downloading an RDF file that the user named by URL with --data (the only way data
reaches yilian over the network).

Rules (README, "Safety"): a redirect is followed only to an origin (scheme, host, port) the
user named with a --data URL, any other is refused with PolicyError (exit 3); a download
stops at MAX_BYTES (LimitError) and at TIMEOUT seconds without data or MAX_SECONDS in all
(InputError / LimitError)."""

from __future__ import annotations

import hashlib
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from .. import __version__
from ..errors import InputError, LimitError, PolicyError

MAX_BYTES = 512 * 1024 * 1024
#: seconds a connection may wait for the server, and a whole download may take
TIMEOUT = 60
MAX_SECONDS = 600

_CONTENT_TYPES = {
    "text/turtle": ".ttl",
    "application/x-turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/n-quads": ".nq",
    "application/trig": ".trig",
    "application/ld+json": ".jsonld",
    "application/rdf+xml": ".rdf",
    "text/n3": ".n3",
}
_downloaded: dict[str, Path] = {}
_tmpdir: tempfile.TemporaryDirectory | None = None


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, lower-cased, with the default port filled
    in: two URLs may share data only when their origins are equal (RFC 6454)."""
    parts = urlparse(url)
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme, 0)


def _show(o: tuple[str, str, int]) -> str:
    host = f"[{o[1]}]" if ":" in o[1] else o[1]
    return f"{o[0]}://{host}:{o[2]}"


class _NamedOriginsOnly(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to an origin the user named."""

    def __init__(self, url: str, allowed: set[tuple[str, str, int]]):
        self.url = url
        self.allowed = allowed

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = origin(newurl)
        if target not in self.allowed:
            raise PolicyError(f"the server redirected to {_show(target)}, an origin not named with --data "
                              f"({newurl})", where=self.url,
                              hint="if you trust it, name that origin too with --data, or download the file yourself")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, named: tuple[str, ...] | list[str] = ()) -> Path:
    """Download `url` once per process into a private temporary folder. Redirects are
    followed only to the origin of `url` or of a URL in `named` (the user's other --data
    URLs); see the module's rules for the limits."""
    global _tmpdir
    from .formats import FORMATS

    if url in _downloaded:
        return _downloaded[url]
    allowed = {origin(u) for u in (url, *named)}
    opener = urllib.request.build_opener(_NamedOriginsOnly(url, allowed))
    request = urllib.request.Request(url, headers={
        "User-Agent": f"yilian/{__version__}",
        "Accept": ", ".join(list(_CONTENT_TYPES)) + ";q=0.9, */*;q=0.1",
    })
    deadline = time.monotonic() + MAX_SECONDS
    try:
        with opener.open(request, timeout=TIMEOUT) as resp:
            ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            chunks, size = [], 0
            while size <= MAX_BYTES:
                chunk = resp.read(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise LimitError(f"the download took longer than {MAX_SECONDS} seconds", where=url,
                                     hint="download it yourself and pass the file")
            data = b"".join(chunks)
    except urllib.error.HTTPError as e:
        raise InputError(f"the server answered HTTP {e.code} {e.reason}", where=url, hint="check the URL") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise InputError(f"cannot download: {reason}", where=url, hint="check the URL and the network") from None
    if len(data) > MAX_BYTES:
        raise LimitError(f"the download is larger than {MAX_BYTES // (1024 * 1024)} MiB", where=url,
                         hint="download it yourself and pass the file")
    suffix = Path(urlparse(url).path).suffix.lower()
    if suffix not in FORMATS:
        suffix = _CONTENT_TYPES.get(ctype, "")
    if not suffix:
        raise InputError(f"cannot tell the RDF format of the download (Content-Type '{ctype or 'none'}')", where=url,
                         hint="use a URL ending in .ttl, .nt, .nq, .trig, .jsonld or .rdf")
    if _tmpdir is None:
        _tmpdir = tempfile.TemporaryDirectory(prefix="yilian-remote-")
    name = hashlib.sha256(url.encode()).hexdigest()[:16] + suffix
    path = Path(_tmpdir.name) / name
    path.write_bytes(data)
    _downloaded[url] = path
    return path
