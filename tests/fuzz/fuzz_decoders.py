"""Coverage-guided fuzz target (atheris/libFuzzer) for pytapi2's decoders.

Input layout: byte 0 picks the target, the rest is the buffer TAPI would have
filled. Every decoder must return a value or raise TapiProtocolError; the
conversions must return or raise ValueError. Anything else is a finding
(atheris reports the uncaught exception and saves the input as crash-*).

    python tests/fuzz/fuzz_decoders.py -max_total_time=60 CORPUS_DIR
    python tests/fuzz/fuzz_decoders.py --make-seeds CORPUS_DIR
"""

from __future__ import annotations

import contextlib
import os
import struct
import sys

import atheris

with atheris.instrument_imports(include=["pytapi2"]):
    from pytapi2 import _convert, _structs, _varsize
    from pytapi2.errors import TapiProtocolError

DECODERS = [
    _structs.decode_session_info,
    _structs.decode_agent_info,
    _structs.decode_queue_info,
    _structs.decode_session_list,
    _structs.decode_group_list,
    _structs.decode_queue_list,
    _structs.decode_agent_caps,
]


def _conversions(data: bytes) -> None:
    if len(data) >= 8:
        (date,) = struct.unpack_from("<d", data)
        try:
            when = _convert.ole_date_to_datetime(date)
        except ValueError:
            pass
        else:
            _convert.datetime_to_ole_date(when)
        (raw,) = struct.unpack_from("<q", data)
        assert _convert.decimal_to_currency(_convert.currency_to_decimal(raw)) == raw
    if len(data) >= 16:
        guid = _convert.guid_bytes_to_uuid(data[:16])
        assert _convert.uuid_to_guid_bytes(guid) == data[:16]
    if len(data) >= 12:
        used, size, offset = struct.unpack_from("<3I", data)
        with contextlib.suppress(TapiProtocolError):
            _varsize.utf16(data, min(used, len(data)), size, offset, "fuzz")


def test_one_input(data: bytes) -> None:
    if not data:
        return
    which, body = data[0], data[1:]
    if which % 8 == 7:
        _conversions(body)
        return
    with contextlib.suppress(TapiProtocolError):
        DECODERS[which % 8](body)


def _seed_list(entry: bytes, entries: int, tail: bytes) -> bytes:
    fixed = 24
    size = fixed + len(entry) * entries + len(tail)
    head = struct.pack("<6I", size, size, size, entries, len(entry) * entries, fixed)
    return head + entry * entries + tail


def make_seeds(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    name = "Sales\0".encode("utf-16-le")
    seeds = {
        0: struct.pack("<5IdIIIIIIIIqII", 76, 76, 76, 4, 8, 46027.375, 60, 3, 30, 10, 36,
                       12, 6, 2, 1800000, 5, 2),
        1: struct.pack("<6Iq6I", 56, 56, 56, 2, 0, 3600, 100000, 1, 2, 3, 4, 5, 6),
        2: struct.pack("<13I", 52, 52, 52, *range(10)),
        3: _seed_list(struct.pack("<II16sI", 1, 1, bytes(range(16)), 0), 2, b""),
        4: _seed_list(struct.pack("<16sII", bytes(16), len(name), 48), 1, name),
        5: _seed_list(struct.pack("<3I", 7, len(name), 36), 1, name),
        6: struct.pack("<14I16s", 72 + len(name), 72 + len(name), 72 + len(name),
                       len(name), 72, 0x30001, 1, 2, 3, 4, 5, 0, 0, 0, bytes(16)) + name,
        7: struct.pack("<dq", -1.25, -(2**63)) + bytes(range(16)),
    }
    for which, body in seeds.items():
        with open(os.path.join(directory, f"seed-{which}"), "wb") as f:
            f.write(bytes([which]) + body)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--make-seeds":
        make_seeds(sys.argv[2])
        sys.exit(0)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
