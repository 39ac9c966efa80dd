#!/usr/bin/env python3
"""Decode speed of the codecs, printed beside the byte rate a live stream needs, in one run.

* nmtp: a session of SAMPLES blocks of 10 (1 kHz as the device sends it), decoded from reads of 4 KiB
  (a busy port) and from reads of one block each (an idle port that returns every block as it
  arrives: the worst case per call). Printed as MB/s, blocks/s and samples/s, and as a multiple of
  what a 1 kHz stream needs (100 blocks/s, 4500 B/s) and of what 2 kHz in blocks of 20 needs.
* ascii: lines of the formats the decoder understands, decoded from 4 KiB reads, as lines/s against
  1000 lines/s (a 1 kHz ASCII stream; real ASCII devices send 10-100 lines/s).
* the pieces: the table-driven CRC (the readable reference) against ``binascii.crc_hqx`` (what the
  decoders use), COBS encode and decode, and ``encode_samples`` (the device side's cost per block).

Usage: python tools/bench_codec.py [--blocks 100000] [--lines 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import binascii
import random
import sys
import time
from collections.abc import Callable

from nmt_pressure.buildinfo import describe
from nmt_pressure.protocol import (
    AsciiDecoder,
    AutoDecoder,
    NmtpDecoder,
    cobs_decode,
    cobs_encode,
    crc16_ccitt_false,
    encode_samples,
)

LINE_BYTES_PER_S = 115200 / 10  # 8N1: ten bits a byte


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def session(blocks: int, seed: int = 0) -> list[bytes]:
    """SAMPLES frames of a 1 kHz session: a tared cell (counts near zero, so COBS has zeros to
    stuff) with pressure holds of a few hundred thousand counts, and noise."""
    rng = random.Random(seed)
    out = []
    level = 0.0
    for i in range(blocks):
        if i % 400 == 0:
            level = rng.choice((0.0, 0.0, 40_000.0, 180_000.0, 900_000.0))
        counts = [int(level + rng.gauss(0.0, 60.0)) for _ in range(10)]
        out.append(encode_samples(i * 10, i * 10_000, 1000, counts, 0))
    return out


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--blocks", type=int, default=100_000)
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print(describe())  # the installed package, and which of its implementations runs
    rep = args.repeat

    frames = session(args.blocks)
    data = b"".join(frames)
    per_block = len(data) / len(frames)
    need_1k = 100 * per_block  # B/s at 1 kHz in blocks of 10
    need_2k = 100 * len(encode_samples(0, 0, 500, [123_456] * 20))  # 2 kHz in blocks of 20
    print(f"python {sys.version.split()[0]}; nmtp: {len(frames):,} blocks of 10 samples, "
          f"{len(data) / 1e6:.2f} MB, {per_block:.1f} B/block")
    print(f"a 1 kHz stream needs {need_1k:,.0f} B/s = {need_1k / LINE_BYTES_PER_S:.1%} of 115200 baud; "
          f"2 kHz in blocks of 20 needs {need_2k:,.0f} B/s = {need_2k / LINE_BYTES_PER_S:.1%}")
    print()

    def run(feed_chunks: list[bytes], make: Callable[[], NmtpDecoder | AutoDecoder]) -> Callable[[], None]:
        def go() -> None:
            dec = make()
            n = 0
            for c in feed_chunks:
                n += len(dec.feed(c))
            assert n == len(frames), n
        return go

    print(f"{'nmtp decode':34s} {'MB/s':>8s} {'blocks/s':>12s} {'samples/s':>12s} {'x 1 kHz':>9s}"
          f" {'x 2 kHz':>9s}")
    cases: list[tuple[str, list[bytes], Callable[[], NmtpDecoder | AutoDecoder]]] = [
        ("NmtpDecoder, 4 KiB reads", chunks(data, 4096), NmtpDecoder),
        ("NmtpDecoder, one read per block", frames, NmtpDecoder),
        ("AutoDecoder (nmtp), 4 KiB reads", chunks(data, 4096), AutoDecoder)]
    for label, feed_chunks, make in cases:
        t = best_of(rep, run(feed_chunks, make))
        bps = len(data) / t
        print(f"{label:34s} {bps / 1e6:8.2f} {len(frames) / t:12,.0f} {10 * len(frames) / t:12,.0f}"
              f" {bps / need_1k:8,.0f}x {bps / need_2k:8,.0f}x")
    print()

    # ASCII: a mix of the formats, one reading a line.
    rng = random.Random(1)
    forms = [
        lambda v: f"{v:.2f}",
        lambda v: f"{v:.2f} N",
        lambda v: f"{v:.3f} lbF",
        lambda v: f"+{v:06.2f}N",
        lambda v: f"one reading:\t{v:.1f}\t| average:\t{v:.1f}",
        lambda v: f"Load_cell output val: {v:.2f}",
        lambda v: f"{int(v * 100)},{v:.2f},lbs,23.50,",
    ]
    for name, pick in (("plain numbers (Mark-10 numeric)", [forms[0]]), ("mixed formats", forms)):
        lines = [pick[i % len(pick)](rng.uniform(0.0, 80.0)) for i in range(args.lines)]
        text = ("\r\n".join(lines) + "\r\n").encode()
        parts = chunks(text, 4096)

        def go(parts: list[bytes] = parts) -> None:
            dec = AsciiDecoder()
            n = sum(len(dec.feed(p)) for p in parts)
            assert n == args.lines, n
        t = best_of(rep, go)
        print(f"ascii {name:34s} {len(text) / t / 1e6:6.2f} MB/s {args.lines / t:11,.0f} lines/s "
              f"{args.lines / t / 1000:7,.0f}x a 1 kHz line rate")
    # Garbage: long runs of digits that then fail every pattern (line noise, a wrong baud rate, a
    # device dumping memory). The decoder must stay ahead of the serial line on these too; a
    # pattern that splits a run of digits in every way falls behind it (stop 26: 0.02 s a line).
    n_junk = max(1, args.lines // 100)
    junk = ["1" + "0" * rng.randrange(200, 500) + rng.choice("xqz") for _ in range(n_junk)]
    text = ("\r\n".join(junk) + "\r\n").encode()
    parts = chunks(text, 4096)

    def go_junk() -> None:
        dec = AsciiDecoder()
        assert sum(len(dec.feed(p)) for p in parts) == n_junk  # each told as a banner, none a reading
    t = best_of(rep, go_junk)
    print(f"ascii {'garbage (200-500 digits, then junk)':34s} {len(text) / t / 1e6:6.2f} MB/s "
          f"{n_junk / t:11,.0f} lines/s {len(text) / t / LINE_BYTES_PER_S:7,.1f}x a 115200-baud line")
    print()

    blob = data[: 1 << 20]
    t_tab = best_of(rep, lambda: crc16_ccitt_false(blob[: 1 << 18]))
    t_c = best_of(rep, lambda: binascii.crc_hqx(blob, 0xFFFF))
    print(f"CRC-16 table (Python)  {(1 << 18) / t_tab / 1e6:8.2f} MB/s   binascii.crc_hqx "
          f"{len(blob) / t_c / 1e6:8.1f} MB/s   ({(len(blob) / t_c) / ((1 << 18) / t_tab):,.0f}x)")
    raw = [cobs_decode(f[:-1]) for f in frames[:20_000]]
    enc = [f[:-1] for f in frames[:20_000]]
    t_e = best_of(rep, lambda: [cobs_encode(r) for r in raw])
    t_d = best_of(rep, lambda: [cobs_decode(e) for e in enc])
    print(f"COBS encode {len(raw) / t_e:,.0f} frames/s   decode {len(enc) / t_d:,.0f} frames/s "
          f"(43-byte frames)")
    counts = [123_456, -5, 0, 7_000_000, -8_000_000, 1, 2, 3, 4, 5]
    t_s = best_of(rep, lambda: [encode_samples(i, i, 1000, counts) for i in range(20_000)])
    print(f"encode_samples (device side) {20_000 / t_s:,.0f} blocks/s = {20_000 / t_s / 100:,.0f}x "
          f"what 1 kHz needs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
