"""The pure frame codecs of docs/protocol.md: what is accepted, what is dropped under which reason."""

from __future__ import annotations

import pytest

from comms.wire import (
    MAX_KEY,
    MAX_PROPERTIES,
    Entry,
    WireError,
    check_command_id,
    decode_entry,
    decode_properties,
    decode_subtree,
    encode_properties,
    pack_seq,
    unpack_seq,
)


def test_sequence_is_eight_bytes_big_endian_signed():
    assert pack_seq(1) == b"\0\0\0\0\0\0\0\1"
    assert unpack_seq(pack_seq(-2)) == -2
    assert unpack_seq(pack_seq(2**62)) == 2**62
    with pytest.raises(WireError) as err:
        unpack_seq(b"\0" * 4)
    assert err.value.reason == "malformed"


def test_properties_round_trip_in_rfc_format():
    raw = encode_properties({"ttl": "1.5", "expires_at": "123.000"})
    assert raw == b"ttl=1.5\nexpires_at=123.000\n"
    assert decode_properties(raw) == {"ttl": "1.5", "expires_at": "123.000"}
    assert decode_properties(b"a=1") == {"a": "1"}  # final newline optional
    assert decode_properties(b"a=x=y\n") == {"a": "x=y"}


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"novalue\n", "malformed"),
        (b"bad name=1\n", "malformed"),
        (b"\xff\xfe=1\n", "malformed"),
        (b"a=" + b"x" * MAX_PROPERTIES, "oversized"),
    ],
)
def test_bad_properties_are_refused(raw, reason):
    with pytest.raises(WireError) as err:
        decode_properties(raw)
    assert err.value.reason == reason


def test_entry_frames_round_trip():
    entry = Entry.make("/cell/230102001001001", 7, b"u" * 16, {"ttl": "5"}, b"\x81\xa1a\x01")
    assert decode_entry(entry.frames(), 1000) == entry


@pytest.mark.parametrize(
    "frames, reason",
    [
        ([b"/a", pack_seq(1), b"", b""], "wrong_frame_count"),
        ([b"/a", pack_seq(1), b"", b"", b"x", b"y"], "wrong_frame_count"),
        ([b"/a", b"\1", b"", b"", b"x"], "malformed"),
        ([b"/a", pack_seq(1), b"short", b"", b"x"], "malformed"),
        ([b"a", pack_seq(1), b"", b"", b"x"], "malformed"),
        ([b"", pack_seq(1), b"", b"", b"x"], "malformed"),
        ([b"/" + b"k" * MAX_KEY, pack_seq(1), b"", b"", b"x"], "oversized"),
        ([b"/\xff", pack_seq(1), b"", b"", b"x"], "malformed"),
        ([b"/a", pack_seq(1), b"", b"", b"x" * 101], "oversized"),
    ],
)
def test_bad_entries_are_refused_with_a_reason(frames, reason):
    with pytest.raises(WireError) as err:
        decode_entry(frames, 100)
    assert err.value.reason == reason


def test_subtrees_and_command_ids():
    assert decode_subtree(b"") == ""
    assert decode_subtree(b"/camera/") == "/camera/"
    with pytest.raises(WireError):
        decode_subtree(b"camera/")
    assert check_command_id(b"a1b2-c3:d4.e_5") == "a1b2-c3:d4.e_5"
    for bad in (b"", b"x" * 65, b"has space", b"\xff"):
        with pytest.raises(WireError):
            check_command_id(bad)
