"""One gzip member made of pieces compressed apart: each piece is raw DEFLATE ended by a sync flush (byte-aligned,
not final), so pieces concatenate into one DEFLATE stream; the member's CRC-32 is combined from the pieces' own
(zlib's crc32_combine, which Python's zlib does not expose). Any gzip reader takes the result: one member, not a
multi-member stream (curl and urllib3 read only the first member, or stop early)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Iterator
from typing import NamedTuple

HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # magic, deflate, no flags, no mtime, no extra flags, OS unknown
FINAL_BLOCK = b"\x03\x00"  # an empty final block (fixed Huffman): ends the DEFLATE stream
_POLY = 0xEDB88320  # CRC-32, reflected


class Piece(NamedTuple):
    deflated: bytes
    crc: int  # CRC-32 of the data
    size: int  # bytes of data
    shift: int  # x^(8 * size) mod the CRC polynomial: what combining this piece after others multiplies by


def _multiply(a: int, b: int) -> int:
    """a * b modulo the CRC-32 polynomial (reflected bit order)."""
    product, mask = 0, 1 << 31
    while mask:
        if a & mask:
            product ^= b
            if not a & (mask - 1):
                break
        mask >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _powers() -> list[int]:
    table = [1 << 30]  # x^1
    for _ in range(31):
        table.append(_multiply(table[-1], table[-1]))
    return table


_X_2N = _powers()  # x^(2^n) mod the polynomial


def _shift(size: int) -> int:
    """x^(8 * size) mod the polynomial."""
    power, k = 1 << 31, 3
    while size:
        if size & 1:
            power = _multiply(_X_2N[k & 31], power)
        size >>= 1
        k += 1
    return power


def piece(data: bytes) -> Piece | None:
    """`data` compressed (fastest level) to be joined with others; None for no data."""
    if not data:
        return None
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    return Piece(compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH), zlib.crc32(data), len(data),
                 _shift(len(data)))


def member(pieces: Iterable[Piece | None]) -> Iterator[bytes]:
    """The gzip member of the pieces' data, in order: header, the pieces as they are, end block and trailer."""
    yield HEADER
    crc = size = 0
    for part in pieces:
        if part is None:
            continue
        crc = _multiply(part.shift, crc) ^ part.crc if crc else part.crc
        size += part.size
        yield part.deflated
    yield FINAL_BLOCK + struct.pack("<II", crc, size & 0xFFFFFFFF)
