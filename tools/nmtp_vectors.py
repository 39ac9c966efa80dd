#!/usr/bin/env python3
"""The shared nmtp test vectors: frames made by the Python codec, checked byte for byte by the firmware.

One definition of the wire format: ``firmware/test/nmtp_vectors.txt`` is written from
``nmt_pressure.protocol.nmtp`` by this script, and the firmware's C codec (``firmware/src/nmtp.c``,
compiled for the host by ``make -C firmware check``) must produce and accept exactly these bytes.
``tests/test_firmware_codec.py`` holds the file equal to what the codec makes today and runs the C test.

Lines (hex without spaces; ``-`` for nothing)::

    crc      DATA CRC                  CRC-16/CCITT-FALSE of DATA
    cobs     DATA ENCODED              COBS of DATA (no delimiter)
    samples  SEQ T0_US DT_US FLAGS C1,C2,... FRAME
    text     TYPE TEXT FRAME           a RESPONSE, BANNER or COMMAND frame of TEXT (hex)
    rx       BYTES CMD|CMD|...         what the device's command decoder hears in BYTES (hex each)

Usage: python tools/nmtp_vectors.py [--check] [--out FILE]    (--check: exit 1 if the file differs)
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nmt_pressure.protocol import nmtp  # noqa: E402

DEFAULT = ROOT / "firmware" / "test" / "nmtp_vectors.txt"


def _hex(data: bytes) -> str:
    return data.hex() if data else "-"


def _damage(frame: bytes, rng: random.Random, k: int) -> bytes:
    """``frame`` with ``k`` of its data bytes (not the COBS code byte, not the delimiter) changed."""
    out = bytearray(frame)
    for pos in rng.sample(range(1, len(frame) - 1), k):
        out[pos] ^= rng.randrange(1, 256)
        if out[pos] == 0:  # a new 0x00 would cut the frame: a framing error, not a repair case
            out[pos] = 0x55 if frame[pos] != 0x55 else 0xAA
    return bytes(out)


def vectors() -> list[str]:
    rng = random.Random(15)
    lines = ["# nmtp shared test vectors: written by tools/nmtp_vectors.py from the Python codec;",
             "# checked by firmware/test/test_nmtp.c (the firmware's codec). Do not edit by hand."]
    for data in (b"123456789", b"", b"\x00", bytes(range(256)), b"ID", b"\x10ID"):
        lines.append(f"crc {_hex(data)} {nmtp.crc16_ccitt_false(data):04x}")
    cobs_cases = [b"\x00", b"\x00\x00", b"\x11\x22\x00\x33", b"\x11\x00", bytes(range(1, 254)),
                  bytes(range(1, 255)), bytes(range(1, 255)) + b"\x00", bytes(253) + b"\x01"]
    for data in cobs_cases:
        lines.append(f"cobs {_hex(data)} {_hex(nmtp.cobs_encode(data))}")
    sample_cases: list[tuple[int, int, int, int, list[int]]] = [
        (1000, 2_500_000, 1000, 0x01, [1200, -35, 8000]),  # docs/PROTOCOL.md's worked example
        (0, 0, 12500, 0x04, [0]),
        (65535, 0xFFFFFFFF, 0, 0x02, [nmtp.COUNTS_MAX]),
        (7, 123_456, 12500, 0x03, [nmtp.COUNTS_MIN]),
        (40000, 99, 0, 0, [-1]),
    ]
    for _ in range(40):
        n = rng.choice((1, 1, 1, 2, 5, 10))
        sample_cases.append((rng.randrange(65536), rng.randrange(1 << 32), rng.choice((0, 12500, 1000)),
                             rng.randrange(8), [rng.randrange(nmtp.COUNTS_MIN, nmtp.COUNTS_MAX + 1)
                                                for _ in range(n)]))
    for seq, t0, dt, flags, counts in sample_cases:
        frame = nmtp.encode_samples(seq, t0, dt, counts, flags)
        lines.append(f"samples {seq} {t0} {dt} {flags} {','.join(map(str, counts))} {frame.hex()}")
    texts = ["ok tare offset=-81234", "id name=nmt-avr fw=1.0 serial=AVR1A2B3C adc=hx711 rate=80",
             "err unknown command", "status streaming=1 rate=80 seq=65535 uptime_us=4294967295", "x",
             "nmt-avr fw 1.0 ready", "ID", "STATUS", "CAL 49.03", "RATE 10", "é ünïcode"]
    encoders = {nmtp.TYPE_RESPONSE: nmtp.encode_response, nmtp.TYPE_BANNER: nmtp.encode_banner,
                nmtp.TYPE_COMMAND: nmtp.encode_command}
    for text in texts:
        for kind, enc in encoders.items():
            lines.append(f"text {kind} {_hex(text.encode())} {enc(text).hex()}")
    lines.extend(_rx_vectors(rng))
    return lines


def _rx_vectors(rng: random.Random) -> list[str]:
    """Byte streams from a host (frames, typed lines, damage, noise) and what the device must hear."""
    cmd = nmtp.encode_command
    streams: list[bytes] = [
        cmd("ID"), cmd("STATUS"), cmd("RATE 10"), cmd("CAL 49.03"),
        b"STATUS\r\n", b"id\n", b"rate 80\r", b"  mark  \r\n", b"\r\n\r\n\r\nTARE\n",
        b"\r\n" + cmd("STATUS"), b"\n\n" + cmd("ID"), cmd("ID") + b"STATUS\n" + cmd("MARK"),
        b"\x00\x00" + cmd("START") + b"\x00\x00",
        bytes(rng.randrange(1, 256) for _ in range(40)) + b"\x00" + cmd("STOP"),
        bytes(rng.randrange(1, 256) for _ in range(1100)) + b"\x00" + cmd("ID"),
        b"x" * 1100 + b"\nSTATUS\n",
        nmtp.encode_samples(1, 2, 3, [4]) + cmd("ID"),  # a frame of another type is ignored
        nmtp.encode_response("ok") + b"MARK\n",
    ]
    for text in ("ID", "STATUS", "CAL 9.81", "RATE 80", "TARE"):
        frame = cmd(text)
        for _ in range(3):
            streams.append(_damage(frame, rng, 1) + cmd("MARK"))  # repaired by the check bytes
        streams.append(_damage(frame, rng, 2) + cmd("MARK"))  # caught by the CRC
    out = []
    for data in streams:
        heard = [c.text for c in nmtp.CommandDecoder().feed(data)]
        want = "|".join(t.encode().hex() for t in heard) if heard else "-"
        out.append(f"rx {data.hex()} {want}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the file instead of writing it")
    ap.add_argument("--out", type=Path, default=DEFAULT, help=f"the vectors file [{DEFAULT}]")
    args = ap.parse_args(argv)
    text = "\n".join(vectors()) + "\n"
    if args.check:
        if not args.out.exists() or args.out.read_text(encoding="utf-8") != text:
            print(f"{args.out} differs from what the Python codec makes: run python tools/nmtp_vectors.py")
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"{len(text.splitlines())} lines written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
