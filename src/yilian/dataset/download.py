"""Downloading an RDF file that the user named by URL with --data (the only way data
reaches yilian over the network)."""

from __future__ import annotations

import hashlib
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from .. import __version__
from ..errors import InputError, LimitError

MAX_BYTES = 512 * 1024 * 1024
TIMEOUT = 60

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


def fetch(url: str) -> Path:
    """Download `url` once per process into a private temporary folder."""
    global _tmpdir
    from .formats import FORMATS

    if url in _downloaded:
        return _downloaded[url]
    request = urllib.request.Request(url, headers={
        "User-Agent": f"yilian/{__version__}",
        "Accept": ", ".join(list(_CONTENT_TYPES)) + ";q=0.9, */*;q=0.1",
    })
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as resp:
            data = resp.read(MAX_BYTES + 1)
            ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
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
