"""Opening an input file whatever it is packed in: plain, gzip, bzip2, or a zip archive of one file.

Every reader of a user's file (GIS layers, cases, scenarios, the x,y batch of ``locate``) opens it
through ``open_source``, so ``boston.csv.gz`` reads as the CSV it holds. The packing is found by the
file's first bytes (gzip ``1f 8b``, bzip2 ``BZh``, zip ``PK``), so a mislabelled file still works, and
the format of what is inside by the inner name: ``boston.csv.gz`` -> ``boston.csv``, the member's name
in a zip.

A zip archive must hold exactly one readable file (CSV or GeoJSON, whichever the caller reads); with
several, name one as ``ARCHIVE.zip!MEMBER`` (quote it in a shell: ``'city.zip!cells.geojson'``).
A damaged archive, a truncated stream or a missing member is an ``InputError`` naming the file.
Shapefiles in a zip are not read here.
"""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TextIO

from data.errors import InputError

MEMBER_SEP = "!"
# The suffixes a packed file's name drops to give the name of what it holds.
PACKED_SUFFIXES = {"gzip": (".gz", ".gzip"), "bzip2": (".bz2", ".bzip2"), "zip": (".zip",)}
# Suffixes of the members a zip archive may hold for a reader of text layers.
TEXT_MEMBERS = (".csv", ".geojson", ".json")
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"))
# What a damaged or truncated archive raises while it is read (bz2 raises a bare OSError).
_DAMAGE = (gzip.BadGzipFile, EOFError, zlib.error, zipfile.BadZipFile, zipfile.LargeZipFile, OSError)


@dataclass(frozen=True)
class SourceFile:
    """An input file found on disk: how it is packed and the name of what it holds."""

    path: Path  # the file on disk (the archive, for a zip member)
    label: str  # the name given, for messages (``city.zip!cells.csv`` included)
    name: str  # the name of the content: ``boston.csv`` for ``boston.csv.gz``, the member of a zip
    packing: str | None = None  # None, "gzip", "bzip2" or "zip"
    member: str | None = None  # the zip member read

    @property
    def suffix(self) -> str:
        """The content's suffix, lower case (``.csv`` for ``Boston.CSV.gz``); "" when it has none."""
        return PurePosixPath(self.name).suffix.lower()

    @contextmanager
    def open_binary(self) -> Iterator[BinaryIO]:
        """The content as a binary stream; a damaged archive is an ``InputError`` naming the file."""
        try:
            with self._raw() as raw:
                yield raw
        except _DAMAGE as exc:
            if self.packing is None:
                raise
            raise InputError(f"{self.label}: damaged {self.packing} file: {_reason(exc)}") from None
        except (RuntimeError, NotImplementedError) as exc:  # zipfile: encrypted, or an unknown method
            if self.packing != "zip":
                raise
            raise InputError(f"{self.label}: cannot unpack {self.member}: {exc}") from None

    @contextmanager
    def open_text(self) -> Iterator[TextIO]:
        """The content as UTF-8 text (a byte-order mark skipped), with newlines left for the csv module."""
        with self.open_binary() as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
            yield fh

    def head(self, size: int = 256) -> bytes:
        """The first ``size`` bytes of the content."""
        with self.open_binary() as raw:
            return raw.read(size)

    def read_bytes(self, limit: int | None = None) -> bytes:
        """The whole content; more than ``limit`` bytes is an ``InputError`` (a packed file can unpack
        to far more than its size on disk)."""
        with self.open_binary() as raw:
            data = raw.read() if limit is None else raw.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise InputError(f"{self.label}: more than {limit:,} bytes once unpacked")
        return data

    @contextmanager
    def _raw(self) -> Iterator[BinaryIO]:
        if self.packing == "gzip":
            with gzip.open(self.path, "rb") as fh:
                yield fh
        elif self.packing == "bzip2":
            with bz2.open(self.path, "rb") as fh:
                yield fh
        elif self.packing == "zip":
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member or "") as fh:
                yield fh
        else:
            with open(self.path, "rb") as fh:
                yield fh


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return "it ends before its end marker (truncated?)" if isinstance(exc, EOFError) else text


def packing_of(path: Path) -> str | None:
    """How a file is packed, by its first bytes: "gzip", "bzip2", "zip" or None."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


def inner_name(name: str, packing: str | None) -> str:
    """The name of what a gzip or bzip2 file holds: its own name without the packing's suffix."""
    for suffix in PACKED_SUFFIXES.get(packing or "", ()):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def zip_members(path: Path, label: str | None = None) -> list[str]:
    """The files in a zip archive, without folders and the metadata macOS and editors leave beside."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{label or path}: damaged zip file: {exc}") from None
    return [
        n
        for n in names
        if not n.endswith("/") and not n.startswith("__MACOSX/") and not PurePosixPath(n).name.startswith(".")
    ]


def _split_member(text: str) -> tuple[Path, str | None]:
    """``ARCHIVE.zip!MEMBER`` -> (archive, member) when the archive exists; else the path as given."""
    path = Path(text)
    if path.exists() or MEMBER_SEP not in text:
        return path, None
    archive, member = text.rsplit(MEMBER_SEP, 1)
    return (Path(archive), member) if Path(archive).is_file() else (path, None)


def open_source(path: str | Path, *, members: tuple[str, ...] = TEXT_MEMBERS) -> SourceFile:
    """Find an input file and how it is packed (see the module doc). ``members`` are the suffixes a
    zip member may have to be read. Raises ``InputError`` for a missing file, a zip that holds none or
    several such members (they are listed), or a named member it does not hold."""
    label = str(path)
    file, member = _split_member(label)
    if not file.is_file():
        raise InputError(f"{label}: no such file")
    try:
        packing = packing_of(file)
    except OSError as exc:
        raise InputError(f"{label}: cannot read: {exc.strerror or exc}") from None
    if member is not None and packing != "zip":
        raise InputError(f"{label}: {file.name} is not a zip archive, so it has no member {member!r}")
    if packing != "zip":
        return SourceFile(file, label, inner_name(file.name, packing), packing)
    found = zip_members(file, label)
    if member is None:
        readable = [n for n in found if PurePosixPath(n).suffix.lower() in members]
        if not readable:
            listed = ", ".join(found[:20]) + (f" and {len(found) - 20} more" if len(found) > 20 else "")
            kinds = ", ".join(members[:-1]) + f" or {members[-1]}" if len(members) > 1 else members[0]
            raise InputError(f"{label}: the zip archive holds no {kinds} file (members: {listed or 'none'})")
        if len(readable) > 1:
            raise InputError(
                f"{label}: the zip archive holds {len(readable)} files that could be read "
                f"({', '.join(readable[:20])}): name one as '{file}{MEMBER_SEP}MEMBER'"
            )
        member = readable[0]
    elif member not in found:
        raise InputError(
            f"{label}: the zip archive has no member {member!r} (members: {', '.join(found[:20])})"
        )
    return SourceFile(file, label, PurePosixPath(member).name, "zip", member)


def unpack_bytes(name: str, data: bytes, limit: int) -> tuple[str, bytes]:
    """(inner name, content) of a file already read into memory: a gzip or bzip2 stream unpacked (at
    most ``limit`` bytes), anything else as it is. For readers given bytes rather than a path."""
    packing = next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)
    if packing not in ("gzip", "bzip2"):
        return name, data
    try:
        with (gzip if packing == "gzip" else bz2).open(io.BytesIO(data), "rb") as fh:
            content = fh.read(limit + 1)
    except _DAMAGE as exc:
        raise InputError(f"{name}: damaged {packing} file: {_reason(exc)}") from None
    if len(content) > limit:
        raise InputError(f"{name}: more than {limit:,} bytes once unpacked")
    return inner_name(name, packing), content
