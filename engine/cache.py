"""Cache of per-file results, keyed by content hash, revplan's version and the settings.

Entries are checked on the way out: an entry whose header, key or checksum
does not match (stale, truncated, tampered with) is ignored and recomputed,
never trusted. Writes are atomic, so a run that is killed leaves no half entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import __version__
from .findings import Finding, Location
from .metrics import OKRMetrics, PlanMetrics
from .model import Waiver
from .process import FileResult
from .rules import Alignment, FileSummary

MAGIC = b"revplan-cache-2\n"
# JSON, not pickle: a cache folder restored by CI must never be able to run code.
# Decoding builds only these classes.
_TYPES = {
    cls.__name__: cls
    for cls in (
        Finding,
        Location,
        FileResult,
        FileSummary,
        Alignment,
        Waiver,
        PlanMetrics,
        OKRMetrics,
    )
}


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$t": type(value).__name__, **fields}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, frozenset):
        return {"$set": sorted(_encode(v) for v in value)}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict | MappingProxyType):
        return {"$map": [[k, _encode(v)] for k, v in value.items()]}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$t" in value:
        cls = _TYPES[value["$t"]]
        return cls(**{k: _decode(v) for k, v in value.items() if k != "$t"})
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$tuple" in value:
        return tuple(_decode(v) for v in value["$tuple"])
    if "$set" in value:
        return frozenset(_decode(v) for v in value["$set"])
    return {k: _decode(v) for k, v in value["$map"]}


DEFAULT_DIR = ".revplan_cache"


class Cache:
    def __init__(self, folder: Path, settings: Any) -> None:
        self.folder = folder
        # Results depend on the code and the settings as much as on the file.
        self.salt = hashlib.sha256(f"{__version__}\n{settings!r}".encode()).digest()

    def _key(self, raw: bytes, display: str, explicit: bool) -> str:
        h = hashlib.blake2b(self.salt, digest_size=20)
        h.update(f"{display}\0{int(explicit)}\0".encode())
        h.update(raw)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, raw: bytes, display: str, explicit: bool) -> Any | None:
        key = self._key(raw, display, explicit)
        try:
            blob = self._path(key).read_bytes()
        except OSError:
            return None
        header = MAGIC + key.encode() + b"\n"
        if not blob.startswith(header):
            return None
        digest, payload = blob[len(header) : len(header) + 32], blob[len(header) + 32 :]
        if hashlib.sha256(payload).digest() != digest:
            return None
        try:
            return _decode(json.loads(payload))
        except Exception:  # noqa: BLE001 - a corrupt entry is recomputed, never trusted
            return None

    def put(self, raw: bytes, display: str, explicit: bool, result: Any) -> None:
        key = self._key(raw, display, explicit)
        payload = json.dumps(_encode(result), ensure_ascii=False, separators=(",", ":")).encode()
        blob = MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).digest() + payload
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time
