"""kube_state_exporter.deflate: pieces compressed apart join into one gzip member whose CRC-32 and size are right."""

from __future__ import annotations

import gzip
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from kube_state_exporter import deflate


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=3000), max_size=12))
def test_joined_pieces_are_one_valid_gzip_member(datas):
    body = b"".join(deflate.member(deflate.piece(data) for data in datas))
    reader = zlib.decompressobj(31)
    assert reader.decompress(body) == b"".join(datas)
    assert reader.eof and not reader.unused_data  # one member, trailer checked by zlib (CRC-32 and size)
    assert gzip.decompress(body) == b"".join(datas)


def test_a_wrong_crc_is_refused_so_the_check_above_means_something():
    body = bytearray(b"".join(deflate.member([deflate.piece(b"a" * 100), deflate.piece(b"b" * 7)])))
    body[-8] ^= 1
    try:
        gzip.decompress(bytes(body))
    except gzip.BadGzipFile:
        return
    raise AssertionError("a corrupted CRC-32 was accepted")


def test_no_data_is_no_piece_and_still_a_valid_body():
    assert deflate.piece(b"") is None
    assert gzip.decompress(b"".join(deflate.member([None, None]))) == b""
