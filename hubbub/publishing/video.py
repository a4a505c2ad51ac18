"""Reading a video's container: its format, duration and frame size, from the bytes alone.

Two containers, the ones the networks we publish to take:
- ISO base media (MP4, M4V, QuickTime MOV): a tree of boxes; the moov box holds mvhd
  (timescale and duration) and one trak per track, whose tkhd gives the frame size and whose
  mdia/hdlr says whether it is video (ISO/IEC 14496-12, sections 4.2, 8.2.2, 8.3.2, 8.4.3;
  Apple's QuickTime File Format reference for the same boxes in MOV).
- WebM (a Matroska profile): EBML elements; Segment/Info holds TimestampScale and Duration,
  Segment/Tracks/TrackEntry/Video the PixelWidth and PixelHeight (RFC 9559; webmproject.org
  "WebM Container Guidelines": Info and Tracks come before the first Cluster).

Only the few small boxes and elements named above are read; everything else (the media data,
sample tables, clusters) is skipped by seeking, so a 4 GB file costs a handful of reads and
no memory, whether its moov box is at the start or at the end.

Why not a library: hachoir (pure Python, on PyPI) was measured on the same files: correct
for MP4, MOV and WebM and fast (2 ms on a 212 MB MP4 whose moov is at the end), but it is
GPL-2.0-only, which cannot be combined with Hubbub's AGPL-3.0-or-later; pymediainfo needs
the native MediaInfo library installed, and ffprobe a program. These ~250 lines read the
three numbers we need and nothing else.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

MP4 = "video/mp4"
QUICKTIME = "video/quicktime"
WEBM = "video/webm"

# ftyp brands of still images in the same box format (HEIF, AVIF): Pillow's to judge.
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
# Boxes an old QuickTime file may start with, before ftyp existed.
_QUICKTIME_FIRST = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_MAX_BOXES = 100_000  # a real file has a few dozen; a crafted one must not loop for ever
_MAX_LEAF = 4096  # mvhd, tkhd, hdlr, mdhd and mehd are each about 100 bytes


class NotAVideo(ValueError):
    """The bytes look like a video container but cannot be read as one (the reason in English
    for the log; media.py shows people its own translated sentence)."""


@dataclass(frozen=True)
class VideoInfo:
    mime_type: str
    width: int
    height: int
    duration_seconds: float | None  # None: the container does not say (a live recording)


def probe(stream: IO[bytes]) -> VideoInfo | None:
    """The video in `stream`, None when the bytes are not an MP4, MOV or WebM container at
    all (an image, a text), NotAVideo when they are one but hold no readable video."""
    stream.seek(0)
    head = stream.read(12)
    stream.seek(0)
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return _webm(stream)
    if len(head) >= 8 and (head[4:8] == b"ftyp" or head[4:8] in _QUICKTIME_FIRST):
        if head[4:8] == b"ftyp" and head[8:12] in _IMAGE_BRANDS:
            return None
        return _iso(stream, head[4:8] == b"ftyp")
    return None


def looks_like_video(head: bytes) -> bool:
    """Whether these first bytes start an MP4, MOV or WebM file (before the rest is there)."""
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return True
    if head[4:8] == b"ftyp":
        return head[8:12] not in _IMAGE_BRANDS
    return head[4:8] in _QUICKTIME_FIRST


# --- ISO base media (MP4, MOV) ---------------------------------------------------------------


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    end = stream.tell()
    stream.seek(0)
    return end


def _boxes(stream: IO[bytes], start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box between start and end, by seeking."""
    offset = start
    count = 0
    while offset + 8 <= end:
        count += 1
        if count > _MAX_BOXES:
            raise NotAVideo("too many boxes")
        stream.seek(offset)
        header = stream.read(8)
        if len(header) < 8:
            raise NotAVideo("truncated box header")
        size, kind = struct.unpack(">I4s", header)
        payload = offset + 8
        if size == 1:  # a 64-bit size follows (large mdat boxes)
            large = stream.read(8)
            if len(large) < 8:
                raise NotAVideo("truncated box header")
            (size,) = struct.unpack(">Q", large)
            payload += 8
        elif size == 0:  # the box runs to the end of the file
            size = end - offset
        if size < payload - offset or offset + size > end:
            raise NotAVideo(f"box {kind!r} overruns its parent")
        yield kind, payload, offset + size
        offset += size


def _child(stream: IO[bytes], start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, payload, stop in _boxes(stream, start, end):
        if found == kind:
            return payload, stop
    return None


def _leaf(stream: IO[bytes], where: tuple[int, int] | None) -> bytes:
    if where is None:
        return b""
    start, stop = where
    stream.seek(start)
    return stream.read(min(stop - start, _MAX_LEAF))


def _iso(stream: IO[bytes], has_ftyp: bool) -> VideoInfo:
    end = _size(stream)
    mime = MP4
    moov: tuple[int, int] | None = None
    for kind, payload, stop in _boxes(stream, 0, end):
        if kind == b"ftyp":
            stream.seek(payload)
            brands = stream.read(min(stop - payload, 64))
            # Apple's brand 'qt  ' marks a QuickTime movie; every other brand is MP4's family.
            if brands[:4] == b"qt  ":
                mime = QUICKTIME
        elif kind == b"moov":
            moov = (payload, stop)
            break
    if not has_ftyp:
        mime = QUICKTIME
    if moov is None:
        raise NotAVideo("no moov box")
    duration = _mvhd_duration(_leaf(stream, _child(stream, *moov, b"mvhd")))
    if not duration:
        # A fragmented MP4 (recorded live) says its length in mvex/mehd, if anywhere.
        mvex = _child(stream, *moov, b"mvex")
        timescale = _timescale(_leaf(stream, _child(stream, *moov, b"mvhd")))
        if mvex is not None and timescale:
            duration = _mehd_duration(_leaf(stream, _child(stream, *mvex, b"mehd")), timescale)
    for kind, payload, stop in _boxes(stream, *moov):
        if kind != b"trak":
            continue
        mdia = _child(stream, payload, stop, b"mdia")
        handler = _leaf(stream, _child(stream, *mdia, b"hdlr")) if mdia else b""
        if handler[8:12] != b"vide":
            continue
        width, height = _tkhd_size(_leaf(stream, _child(stream, payload, stop, b"tkhd")))
        if width and height:
            return VideoInfo(mime, width, height, duration)
    raise NotAVideo("no video track")


def _timescale(mvhd: bytes) -> int:
    if len(mvhd) >= 4 and mvhd[0] == 1 and len(mvhd) >= 24:
        return int(struct.unpack(">I", mvhd[20:24])[0])
    if len(mvhd) >= 16:
        return int(struct.unpack(">I", mvhd[12:16])[0])
    return 0


def _mvhd_duration(mvhd: bytes) -> float | None:
    """mvhd: version and flags, then (32- or 64-bit by version) creation and modification
    times, the timescale (units a second) and the duration in those units."""
    if len(mvhd) < 20:
        return None
    if mvhd[0] == 1:
        if len(mvhd) < 32:
            return None
        timescale, duration = struct.unpack(">IQ", mvhd[20:32])
        unknown = 0xFFFFFFFFFFFFFFFF
    else:
        timescale, duration = struct.unpack(">II", mvhd[12:20])
        unknown = 0xFFFFFFFF
    if not timescale or duration == unknown or not duration:
        return None
    return float(duration / timescale)


def _mehd_duration(mehd: bytes, timescale: int) -> float | None:
    if len(mehd) < 8:
        return None
    if mehd[0] == 1:
        if len(mehd) < 12:
            return None
        (duration,) = struct.unpack(">Q", mehd[4:12])
    else:
        (duration,) = struct.unpack(">I", mehd[4:8])
    return float(duration / timescale) if duration else None


def _tkhd_size(tkhd: bytes) -> tuple[int, int]:
    """tkhd ends with the 3x3 transformation matrix and the width and height (16.16 fixed
    point). A phone's portrait video is stored landscape with a 90° matrix: the size people
    see is the rotated one, so it is swapped then."""
    offset = 4 + (32 if tkhd[:1] == b"\x01" else 20) + 8 + 8  # times, ids; reserved; layer…
    if len(tkhd) < offset + 36 + 8:
        return 0, 0
    a, b, _u, c, d = struct.unpack(">iiiii", tkhd[offset : offset + 20])
    width, height = struct.unpack(">II", tkhd[offset + 36 : offset + 44])
    width, height = width >> 16, height >> 16
    if a == 0 and d == 0 and b != 0 and c != 0:
        width, height = height, width
    return width, height


# --- WebM (EBML) ----------------------------------------------------------------------------

_EBML = 0x1A45DFA3
_DOCTYPE = 0x4282
_SEGMENT = 0x18538067
_INFO = 0x1549A966
_TIMESTAMP_SCALE = 0x2AD7B1
_DURATION = 0x4489
_TRACKS = 0x1654AE6B
_TRACK_ENTRY = 0xAE
_TRACK_TYPE = 0x83
_VIDEO = 0xE0
_PIXEL_WIDTH = 0xB0
_PIXEL_HEIGHT = 0xBA
_CLUSTER = 0x1F43B675
_UNKNOWN = -1  # an element whose size is "unknown" (all ones): it runs to its parent's end


def _vint(stream: IO[bytes], keep_marker: bool) -> int:
    """An EBML variable-length integer: the leading zero bits of the first byte say how many
    bytes follow. IDs keep their marker bit; sizes do not (all ones meaning unknown)."""
    first = stream.read(1)
    if not first:
        raise NotAVideo("truncated element")
    byte = first[0]
    length = 1
    mask = 0x80
    while length <= 8 and not byte & mask:
        length += 1
        mask >>= 1
    if length > 8:
        raise NotAVideo("invalid element length")
    rest = stream.read(length - 1)
    if len(rest) < length - 1:
        raise NotAVideo("truncated element")
    value = byte if keep_marker else byte & (mask - 1)
    for b in rest:
        value = (value << 8) | b
    if not keep_marker and value == (1 << (7 * length)) - 1:
        return _UNKNOWN
    return value


def _elements(stream: IO[bytes], start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """(id, data start, data end) of each element between start and end."""
    offset = start
    count = 0
    while offset < end:
        count += 1
        if count > _MAX_BOXES:
            raise NotAVideo("too many elements")
        stream.seek(offset)
        element = _vint(stream, keep_marker=True)
        size = _vint(stream, keep_marker=False)
        data = stream.tell()
        stop = end if size == _UNKNOWN else data + size
        if stop > end:
            stop = end  # a truncated file: read what is there
        yield element, data, stop
        if size == _UNKNOWN:
            return  # nothing after it can be found without reading it all
        offset = stop


def _uint(stream: IO[bytes], start: int, end: int) -> int:
    stream.seek(start)
    return int.from_bytes(stream.read(min(end - start, 8)), "big")


def _webm(stream: IO[bytes]) -> VideoInfo:
    end = _size(stream)
    doctype = b""
    segment: tuple[int, int] | None = None
    for element, data, stop in _elements(stream, 0, end):
        if element == _EBML:
            for child, cdata, cstop in _elements(stream, data, stop):
                if child == _DOCTYPE:
                    stream.seek(cdata)
                    doctype = stream.read(min(cstop - cdata, 16)).rstrip(b"\x00")
        elif element == _SEGMENT:
            segment = (data, stop)
            break
    if doctype != b"webm":
        raise NotAVideo(f"EBML document type {doctype!r}, not webm")
    if segment is None:
        raise NotAVideo("no segment")
    scale = 1_000_000  # TimestampScale's default: durations in milliseconds
    raw_duration: float | None = None
    size: tuple[int, int] | None = None
    for element, data, stop in _elements(stream, *segment):
        if element == _INFO:
            for child, cdata, cstop in _elements(stream, data, stop):
                if child == _TIMESTAMP_SCALE:
                    scale = _uint(stream, cdata, cstop) or scale
                elif child == _DURATION and cstop - cdata in (4, 8):
                    stream.seek(cdata)
                    fmt = ">f" if cstop - cdata == 4 else ">d"
                    raw_duration = struct.unpack(fmt, stream.read(cstop - cdata))[0]
        elif element == _TRACKS:
            size = size or _webm_video_size(stream, data, stop)
        elif element == _CLUSTER:
            break  # media data: Info and Tracks come before it in a WebM file
    if size is None:
        raise NotAVideo("no video track")
    duration = raw_duration * scale / 1e9 if raw_duration and raw_duration > 0 else None
    return VideoInfo(WEBM, size[0], size[1], duration)


def _webm_video_size(stream: IO[bytes], start: int, end: int) -> tuple[int, int] | None:
    for entry, data, stop in _elements(stream, start, end):
        if entry != _TRACK_ENTRY:
            continue
        kind = 0
        width = height = 0
        for child, cdata, cstop in _elements(stream, data, stop):
            if child == _TRACK_TYPE:
                kind = _uint(stream, cdata, cstop)
            elif child == _VIDEO:
                for field, fdata, fstop in _elements(stream, cdata, cstop):
                    if field == _PIXEL_WIDTH:
                        width = _uint(stream, fdata, fstop)
                    elif field == _PIXEL_HEIGHT:
                        height = _uint(stream, fdata, fstop)
        if kind == 1 and width and height:  # TrackType 1: video
            return width, height
    return None
