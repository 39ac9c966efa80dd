#!/usr/bin/env python3
"""Fuzz every codec and every file reader in-process: random and mutated inputs, checked per case.

Each case is one input for one target, built from ``--seed`` and the case's index alone (so any
case can be rerun by itself with ``--case N``): purely random bytes, or a valid input made by the
project's own encoders and writers (or shaped like a real export) and then mutated -- bit flips,
byte inserts, deletes and duplicates, truncation, splices of two inputs, huge numbers, NaN/inf text,
very long lines, NUL bytes, invalid UTF-8, CR-only line ends, deep or enormous JSON...

Targets and what is checked:

* ``nmtp``, ``ascii``, ``auto``, ``commands`` (the device-side command decoder): fed the whole
  input at once and again in random chunks (one byte at a time for a sample). Nothing may raise;
  only the documented frame types come out, with fields in range; any split gives the same frames
  and counters; the buffer never exceeds its cap. ``nmtp`` and ``ascii`` are also checked against
  a model of the documented rules written here from ``docs/PROTOCOL.md``: the same frames and the
  same counters, and every byte accounted for (in a delivered frame, an idle 0x00 or line end,
  ``garbage_bytes``, a blank line, or the buffer). For a mutated valid nmtp stream, a delivered
  frame that was not in the original is an undetected corruption: CRC-16 lets about one damaged
  frame in 65 536 through, so the run fails only when they are far more common than that.
  ``auto`` must decide as the decoder it chose would have decoded the whole stream.
* ``splitter``: ``BoundedSplitter`` with random delimiters and limits against ``bytes.split``.
* ``read-*``: ``read_recording`` on our own format (``RecordingWriter``), other CSV with other
  columns and units, ``;`` with decimal commas, Tindeq exports, Grip-Connect CSV and JSON; each
  input read with the compiled scanner and with the pure-Python fallback, in memory (a sample
  also from a real file, which must give the same). The outcome is a Recording (finite float64
  arrays of one length >= 2, time never going back) or a RecordingError whose message is one line
  naming the file; the two readers must agree exactly.
* ``config``: ``recorded_config`` on mutated ``detector_config`` metadata: a dict or None.

Process memory is sampled through the run; the run fails if it keeps growing. Exit status 1 on
any unexpected exception or broken invariant; each failing input is saved under ``--save DIR``
with a note of its seed and case index.

Usage: python tools/fuzz.py [--seed 1] [--cases 1100000] [--targets nmtp,read-tindeq,...]
                            [--case N] [--save DIR] [--progress S]
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import os
import random
import re
import resource
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from nmt_pressure.buildinfo import describe
from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.io import csvtable
from nmt_pressure.io.recording import (
    FORMATS,
    TIME_UNITS,
    UNITS,
    Recording,
    RecordingError,
    RecordingWriter,
    read_data,
    read_recording,
)
from nmt_pressure.io.rectypes import recorded_config
from nmt_pressure.protocol import (
    COUNTS_MAX,
    COUNTS_MIN,
    MAX_FRAME,
    AsciiDecoder,
    AutoDecoder,
    Banner,
    ClockUnwrapper,
    CobsError,
    CodecStats,
    CommandDecoder,
    CommandFrame,
    NmtpDecoder,
    Reading,
    Response,
    SampleBlock,
    SequenceTracker,
    cobs_decode,
    crc16_ccitt_false,
    ecc,
    encode_banner,
    encode_command,
    encode_response,
    encode_samples,
    parse_kv,
    parse_line,
)
from nmt_pressure.protocol.ascii import MAX_LINE
from nmt_pressure.protocol.splitter import BoundedSplitter

COMPILED = csvtable.SCANNER
KG = 9.80665
T0_MS = 1_714_000_000_000
#: Fail when process memory grows by more than this after the warm-up (a leak), or peaks above the
#: start by more than PEAK_MB (a reader holding far more than its input).
GROWTH_MB = 150
PEAK_MB = 1500


class Violation(AssertionError):
    """A broken invariant (as opposed to an exception escaping the code under test)."""


def check(cond: object, what: str) -> None:
    if not cond:
        raise Violation(what)


# ==================================================================================================
# mutations
# ==================================================================================================

NUMBER_TOKENS = [b"1e999", b"-1e999", b"1e-999", b"9" * 400, b"-" + b"9" * 5000, b"nan", b"NaN", b"-nan",
                 b"inf", b"-inf", b"Infinity", b"+Infinity", b"1_000", b"0x1F", b"1e", b"1e+", b".",
                 b"-", b"+", b"--1", b"1.2.3", b"1,2,3", b"1.234,5", b"0,5", b"1.7976931348623157e308",
                 b"4.9e-324", b"-0", b"-0.0", b"0" * 300 + b"1", b"1" + b"0" * 330, b"2.5e-22",
                 b"123456789012345678901234567890", b"\xbd", b"\xef\xbc\x91", b"\xd9\xa3", b" 1 ",
                 b'"1"', b'""', b"'1'", b"1e308", b"-1e308", b"1e10000000000", b"18446744073709551616"]
BYTE_TOKENS = [b"\x00", b"\x00\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3\x28", b"\xed\xa0\x80",
               b"\xf4\x90\x80\x80", b"\x80", b"\r", b"\n", b"\r\n", b"\n\r", b"\t", b",", b";", b'"', b"#",
               b"# key: value\n", b"#", b"\x1b[2J", b"\x7f", b" ", b"\xa0", b"\xe2\x80\xa8", b"\x0c",
               b"\x0b", b"\x1a", b"\\", b"'"]
JSON_TOKENS = [b"[" * 5000, b"{\"a\":" * 3000, b"[" * 200_000 + b"]" * 200_000, b"null", b"true", b"{}",
               b"[]", b'"\\ud800"', b'"\\u0000"', b"1" * 5000, b"-" + b"1" * 4000, b"1e400", b"NaN",
               b"Infinity", b"-Infinity", b"[1e999]", b'{"masses": [1e308, 1e308]}',
               b'{"received": 1e300}', b"10000000000000000000000000000000000",
               b'"' + b"x" * 100_000 + b'"', b", " * 1000, b'{"__proto__": 1}',
               b"[" + b'{"received": 1714000000000, "masses": [1]},' * 20_000 + b"{}]",
               b"[" + b"[" * 900 + b"]" * 900 + b"]"]
#: Largest input a mutation makes (bytes): room for lines over every limit, not for swapping.
MAX_INPUT = 1 << 20
_NUMBER_RE = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def mutate(rng: random.Random, data: bytes, other: Callable[[], bytes], *, json_like: bool = False) -> bytes:
    """One to a few random mutations of ``data``; ``other`` gives another input to splice with."""
    buf = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 5))):
        n = len(buf)
        op = rng.randrange(19)
        pos = rng.randrange(n + 1)
        if op == 0 and n:  # flip a bit
            i = rng.randrange(n)
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and n:  # set a byte
            buf[rng.randrange(n)] = rng.randrange(256)
        elif op == 2:  # insert random bytes
            buf[pos:pos] = rng.randbytes(rng.choice((1, 1, 2, 3, 8, 40)))
        elif op == 3 and n:  # delete a run
            buf[pos:pos + rng.choice((1, 1, 2, 5, 30, 300))] = b""
        elif op == 4 and n:  # duplicate a run
            a = rng.randrange(n)
            b = min(n, a + rng.choice((1, 3, 20, 100, 1000)))
            buf[b:b] = buf[a:b]
        elif op == 5 and n:  # truncate
            del buf[rng.randrange(n):]
        elif op == 6:  # splice with another input
            tail = other()
            buf = buf[:pos] + tail[rng.randrange(len(tail) + 1):]
        elif op in (7, 8):  # a number replaced by an awkward one
            found = list(_NUMBER_RE.finditer(bytes(buf), max(0, pos - 200), pos + 200))
            tok = rng.choice(NUMBER_TOKENS)
            if found:
                m = rng.choice(found)
                buf[m.start():m.end()] = tok
            else:
                buf[pos:pos] = tok
        elif op == 9:  # a control, encoding or structure byte
            buf[pos:pos] = rng.choice(BYTE_TOKENS)
        elif op == 10:  # CR-only (or CRLF, or LF) line ends throughout
            eol = rng.choice((b"\r", b"\r\n", b"\n", b"\n\n"))
            buf = bytearray(re.sub(rb"\r\n|\r|\n", eol, bytes(buf)))
        elif op == 11 and n:  # a very long line: one piece repeated
            a = rng.randrange(n)
            piece = bytes(buf[a:a + rng.choice((1, 2, 7, 30))]).translate(None, b"\r\n") or b"7"
            buf[pos:pos] = piece * (rng.choice((600, 5000, 70_000, 300_000)) // len(piece))
        elif op == 12:  # NUL bytes, a few or many
            buf[pos:pos] = b"\x00" * rng.choice((1, 1, 3, 2000))
        elif op == 13 and n:  # drop the last line end (a file still being written)
            buf = bytearray(bytes(buf).rstrip(b"\r\n"))
            if buf:
                del buf[len(buf) - rng.randrange(min(len(buf), 12)):]
        elif op == 14 and n:  # swap delimiters and decimal marks
            a, b = rng.choice(((b",", b";"), (b";", b","), (b".", b","), (b",", b"\t"), (b",", b" "),
                               (b"\n", b"\r\n"), (b'"', b"'")))
            buf = bytearray(bytes(buf).replace(a, b, rng.choice((1, 5, -1))))
        elif op == 15 and json_like:
            buf[pos:pos] = rng.choice(JSON_TOKENS)
        elif op == 15:  # a line repeated many times
            lines = bytes(buf).splitlines(keepends=True)
            if lines:
                k = rng.randrange(len(lines))
                lines[k:k] = [lines[k]] * min(rng.choice((2, 50, 5000)), MAX_INPUT // (len(lines[k]) + 1))
                buf = bytearray(b"".join(lines))
        elif op == 16 and n:  # swap two lines (time going backwards)
            lines = bytes(buf).splitlines(keepends=True)
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                buf = bytearray(b"".join(lines))
        elif op == 17:  # invalid UTF-8 / latin-1 text in the head
            at = rng.randrange(min(n, 200) + 1)
            buf[at:at] = rng.choice((b"\xe9", b"\xff\xfe", b"\xc0\xaf", b"\xe2\x82"))
        elif op == 18 and n:  # replace a run with random printable text
            a = rng.randrange(n)
            buf[a:a + rng.randrange(1, 20)] = bytes(rng.choice(b"0123456789.,;-+eE \t#\"abc") for _ in
                                                    range(rng.randrange(1, 20)))
        if len(buf) > MAX_INPUT:  # several growing mutations in a row: keep inputs of a sane size
            del buf[MAX_INPUT:]
    return bytes(buf)


def random_bytes(rng: random.Random, max_len: int = 2048) -> bytes:
    """Random bytes from a few distributions: uniform, mostly text, mostly zeros, a tiny alphabet."""
    n = rng.choice((0, 1, 2, 5, 17, 64, 300, rng.randrange(max_len + 1)))
    kind = rng.randrange(5)
    if kind == 0:
        return rng.randbytes(n)
    if kind == 1:
        alphabet = b"0123456789.,;-+eE \t\r\n#\"abcdefghijklmnopqrstuvwxyzN:|"
    elif kind == 2:
        alphabet = b"\x00\x00\x00\x01\x02\x03\x05\x10\xff"
    elif kind == 3:
        alphabet = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))
    else:
        alphabet = b"[]{}\",:0123456789.-e truefalsnl\n"
    return bytes(rng.choice(alphabet) for _ in range(n))


def chunkings(rng: random.Random, n: int, bytewise: bool) -> list[int]:
    """Cut points for feeding ``n`` bytes: random pieces, or every byte."""
    if bytewise:
        return list(range(1, n))
    k = rng.choice((1, 2, 5, 20, max(1, n // 3)))
    return sorted({rng.randrange(n + 1) for _ in range(k)})


def pieces(data: bytes, cuts: Sequence[int]) -> list[bytes]:
    return [data[a:b] for a, b in itertools.pairwise([0, *cuts, len(data)])]


# ==================================================================================================
# codec seeds
# ==================================================================================================

def nmtp_session(rng: random.Random) -> tuple[bytes, list[object]]:
    """A valid device stream (frames from the real encoders) and the frames it carries."""
    wire = bytearray()
    frames: list[object] = []
    seq, t0 = rng.randrange(65536), rng.randrange(1 << 32)
    if rng.random() < 0.5:
        text = rng.choice(("nmt-sim fw 1.0 ready", "", "ünïcødé ✓", "x" * 960))
        wire += encode_banner(text)
        frames.append(Banner(text))
    for _ in range(rng.randrange(1, 25)):
        r = rng.random()
        if r < 0.15:
            text = rng.choice(("ok streaming=1", "id name=nmt-sim fw=1.0 rate=1000 scale=1234.5 offset=-17",
                               'status name="cell A" x', "err unknown command", "é" * 480, ""))
            wire += encode_response(text)
            frames.append(Response(text))
        elif r < 0.18:
            wire += encode_command(rng.choice(("ID", "STATUS", "RATE 1000")))  # skipped by the host
        else:
            n = rng.choice((1, 1, 2, 5, 10, 10, 10, 20, 255))
            counts = [rng.choice((rng.randrange(-500, 500_000), COUNTS_MIN, COUNTS_MAX, 0, -1))
                      for _ in range(n)]
            dt = 0 if n == 1 and rng.random() < 0.3 else rng.choice((100, 500, 1000, 4000, 65535))
            flags = rng.choice((0, 0, 0, 1, 2, 4, 7, 255))
            wire += encode_samples(seq, t0, dt, counts, flags)
            frames.append(SampleBlock(seq, t0, dt, tuple(counts), flags))
            seq = (seq + n) & 0xFFFF
            t0 = (t0 + n * dt) & 0xFFFFFFFF
        if rng.random() < 0.05:
            wire += b"\x00" * rng.randrange(1, 4)  # idle fill
    return bytes(wire), frames


ASCII_LINES = ["12.34", "-0.5", "+012.34", "8355808", "12.34 N", "12.34N", "-1.2 lbF", "0.85 kg", "3 KGF",
               "0.123,12.34", "0.123;12.34", "0.123\t12.34", "0.123 12.34", "0.123,12.34 N",
               "one reading:\t0.2\t| average:\t0.1", "HX711 reading: 8355808", "Load_cell output val: 123.45",
               "Reading: 12.3 lbs", "Reading: 0.0 lbs calibration_factor: -7050.00", "1234,12.34,lbs,23.50,",
               "12.34,lbs,", "-18.78 lbF", "4.285 N", "+12.34NTO", "+012.34N", "- 23.02 lbf",
               "-12.345 lbf Peak", "12.34 lbf", "HX711 Demo", "Zero factor: 8355808", "get units: 0.0",
               "1) Tare scale to zero [8355808]", ">", "t_s,force_n", "*10", "12.34 ozF", "5 kN",
               "Minimum time between reports: 163", "   ", "\t"]


def ascii_session(rng: random.Random) -> bytes:
    eol = rng.choice(("\r\n", "\n", "\r"))
    out = []
    if rng.random() < 0.2:
        out.append("\x00\xff")  # an Arduino resetting as the port opens
    for _ in range(rng.randrange(1, 60)):
        if rng.random() < 0.6:
            out.append(rng.choice(ASCII_LINES[:30]) + eol)
        elif rng.random() < 0.5:
            unit = rng.choice(("", " N", " kg", "lbs"))
            out.append(f"{rng.uniform(-1e4, 1e4):.{rng.randrange(6)}f}{unit}{eol}")
        else:
            out.append(rng.choice(ASCII_LINES) + eol)
    return "".join(out).encode("latin-1")


# ==================================================================================================
# models of the documented decoding rules (docs/PROTOCOL.md), to check the decoders against
# ==================================================================================================

@dataclass
class Model:
    frames: list[object] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)
    buffered: int = 0
    frame_bytes: int = 0  # bytes of delivered (or skipped COMMAND) frames
    idle: int = 0  # delimiters and line ends
    blank: int = 0  # ascii: bytes of lines of spaces only (nothing to say, nothing lost)
    #: nmtp: the distinct frames that failed their CRC or were repaired (a mutation that repeats a
    #: piece a thousand times makes a thousand identical failures, one chance to slip through)
    damaged: set[bytes] = field(default_factory=set)


def _stats_view(st: CodecStats) -> Counter[str]:
    c: Counter[str] = Counter(frames=st.frames, crc_errors=st.crc_errors, framing_errors=st.framing_errors,
                              garbage_bytes=st.garbage_bytes, overflows=st.overflows)
    c.update(st.extra)
    return +c  # zero counts dropped


def nmtp_model(data: bytes, max_frame: int = MAX_FRAME) -> Model:
    """What the PROTOCOL.md decoding rules say a whole stream gives."""
    m = Model()
    parts = data.split(b"\x00")
    tail = parts.pop()
    m.idle = len(parts)
    for enc in parts:
        if not enc:
            continue
        if len(enc) > max_frame:
            m.stats["overflows"] += 1
            m.stats["garbage_bytes"] += len(enc)
            continue
        try:
            dec = bytearray(cobs_decode(enc))
        except CobsError:
            dec = None
        if dec is None or len(dec) < 5:
            m.stats["framing_errors"] += 1
            m.stats["garbage_bytes"] += len(enc)
            continue
        body = bytes(dec[:-2])
        if crc16_ccitt_false(body[:-2]) != int.from_bytes(body[-2:], "little"):
            if ecc.correct(dec) and crc16_ccitt_false(dec[:-4]) == int.from_bytes(dec[-4:-2], "little"):
                body = bytes(dec[:-2])
                m.stats["corrected"] += 1
                m.damaged.add(enc)
            else:
                m.stats["crc_errors"] += 1
                m.damaged.add(enc)
                m.stats["garbage_bytes"] += len(enc)
                continue
        kind, payload = body[0], body[1:-2]
        if kind == 0x01 and len(payload) >= 10 and payload[9] >= 1 and len(payload) == 10 + 3 * payload[9]:
            n = payload[9]
            counts = tuple(int.from_bytes(payload[10 + 3 * i:13 + 3 * i], "little", signed=True)
                           for i in range(n))
            seq, t0, dt = (int.from_bytes(payload[a:b], "little") for a, b in ((0, 2), (2, 6), (6, 8)))
            m.frames.append(SampleBlock(seq, t0, dt, counts, payload[8]))
        elif kind == 0x02:
            m.frames.append(Response(payload.decode("utf-8", "replace")))
        elif kind == 0x03:
            m.frames.append(Banner(payload.decode("utf-8", "replace")))
        elif kind == 0x10:
            m.stats["commands"] += 1
            m.frame_bytes += len(enc)
            continue
        else:
            m.stats["framing_errors"] += 1
            m.stats["garbage_bytes"] += len(enc)
            continue
        m.stats["frames"] += 1
        m.frame_bytes += len(enc)
    if len(tail) > max_frame:
        m.stats["overflows"] += 1
        m.stats["garbage_bytes"] += len(tail)
    else:
        m.buffered = len(tail)
    return m


_ASCII_JUNK = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xC2), *range(0xF5, 0x100)])
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def ascii_model(data: bytes, max_line: int = MAX_LINE) -> Model:
    m = Model()
    lines = re.split(rb"[\r\n]", data)
    tail = lines.pop()
    m.idle = len(lines)
    for raw in lines:
        if not raw:
            continue
        if len(raw) > max_line:
            m.stats["overflows"] += 1
            m.stats["garbage_bytes"] += len(raw)
            continue
        clean = raw.lstrip(_ASCII_JUNK)  # junk at the start of a line is stripped and counted
        m.stats["garbage_bytes"] += len(raw) - len(clean)
        if not clean:
            continue
        text = clean.decode("utf-8", "replace")
        if _ASCII_CONTROL.search(text):  # other control characters: line noise
            m.stats["garbage_bytes"] += len(clean)
            m.stats["garbage_lines"] += 1
            continue
        reading = parse_line(text)
        if reading is None and not text.strip():
            m.blank += len(clean)
            continue
        m.frames.append(reading if reading is not None else Banner(text.strip()))
        if reading is None:
            m.stats["banners"] += 1
        m.stats["frames"] += 1
        m.frame_bytes += len(clean)
    if len(tail) > max_line:
        m.stats["overflows"] += 1
        m.stats["garbage_bytes"] += len(tail)
    else:
        m.buffered = len(tail)
    return m


def check_frame(f: object, fmt: str) -> None:
    if fmt == "nmtp":
        check(type(f) in (SampleBlock, Response, Banner), f"nmtp delivered a {type(f).__name__}")
    else:
        check(type(f) in (Reading, Banner), f"ascii delivered a {type(f).__name__}")
    if isinstance(f, SampleBlock):
        check(0 <= f.seq < 1 << 16 and 0 <= f.t0_us < 1 << 32 and 0 <= f.dt_us < 1 << 16
              and 0 <= f.flags < 256,
              f"SampleBlock header out of range: {f}")
        check(1 <= len(f.counts) <= 255 and all(COUNTS_MIN <= c <= COUNTS_MAX for c in f.counts),
              "SampleBlock counts out of range")
    elif isinstance(f, Reading):
        check(isinstance(f.value, float) and math.isfinite(f.value), f"Reading value {f.value!r}")
        check(f.unit in ("", "N", "kg", "g", "lb", "lbf"), f"Reading unit {f.unit!r}")
        check(f.t is None or (isinstance(f.t, float) and math.isfinite(f.t)), f"Reading time {f.t!r}")
    elif isinstance(f, (Banner, Response)):
        check(isinstance(f.text, str), "text frame without text")
        if fmt == "ascii":
            check(f.text and f.text == f.text.strip() and not _ASCII_CONTROL.search(f.text),
                  f"ascii banner {f.text[:40]!r}")
        kind, kv = parse_kv(f.text)
        check(isinstance(kind, str) and isinstance(kv, dict), "parse_kv")


# ==================================================================================================
# codec targets
# ==================================================================================================

@dataclass
class Case:
    """What one case produced: its outcome name and counters to add to the target's totals."""

    outcome: str
    counts: Counter[str] = field(default_factory=Counter)


def feed(dec: Any, chunks: list[bytes], cap: Callable[[], bool]) -> list[object]:
    out: list[object] = []
    for c in chunks:
        got = dec.feed(c)
        check(isinstance(got, list), "feed returned no list")
        out += got
        check(cap(), "decoder buffer over its cap")
    return out


def stream_input(rng: random.Random, kind: str) -> tuple[bytes, list[object] | None, str]:
    """(input, frames of the valid original if it was a mutation of an nmtp stream, how made)."""
    if rng.random() < 0.2:
        return random_bytes(rng), None, "random"
    if kind == "nmtp" or (kind == "auto" and rng.random() < 0.5):
        data, frames = nmtp_session(rng)
        spliced: list[object] = []

        def other() -> bytes:
            more, fr = nmtp_session(rng)
            spliced.extend(fr)
            return more
        mutated = mutate(rng, data, other) if rng.random() < 0.9 else data
        return mutated, frames + spliced, "mutated"
    data = ascii_session(rng)
    if kind == "auto" and rng.random() < 0.2:
        data += nmtp_session(rng)[0]  # an ASCII banner, then a binary device: the first decides
    return (mutate(rng, data, lambda: ascii_session(rng)) if rng.random() < 0.9 else data), None, "mutated"


def run_decoder(kind: str, rng: random.Random, data: bytes, original: list[object] | None) -> Case:
    """One stream through one decoder: whole, in chunks, against the model."""
    bytewise = rng.random() < 0.06 and len(data) <= 6000
    cuts = chunkings(rng, len(data), bytewise)
    if kind == "commands":
        whole = CommandDecoder()
        got_whole = whole.feed(data)
        split = CommandDecoder()
        got_split = feed(split, pieces(data, cuts), lambda: split.buffered <= split.max_frame)
        check(all(type(f) is CommandFrame and isinstance(f.text, str) for f in got_whole),
              "command frame type")
        check(got_split == got_whole, "commands: chunked feeding gave other frames")
        check(_stats_view(split.stats) == _stats_view(whole.stats),
              f"commands: chunked counters {_stats_view(split.stats)} != {_stats_view(whole.stats)}")
        return Case("frames" if got_whole else "none", _stats_view(whole.stats))

    make: Callable[[], Any] = {"nmtp": NmtpDecoder, "ascii": AsciiDecoder, "auto": AutoDecoder}[kind]
    whole = make()
    got_whole = whole.feed(data)
    split = make()

    def cap() -> bool:
        if kind == "auto":
            if split.decided is None:
                return len(split._held) < split.probe
            return bool(split.delegate.buffered <= MAX_FRAME)
        return bool(split.buffered <= (MAX_FRAME if kind == "nmtp" else MAX_LINE))

    got_split = feed(split, pieces(data, cuts), cap)
    check(got_split == got_whole, f"{kind}: chunked feeding ({'bytewise' if bytewise else len(cuts)} cuts) "
                                  f"gave other frames")
    check(_stats_view(split.stats) == _stats_view(whole.stats),
          f"{kind}: chunked counters {_stats_view(split.stats)} != {_stats_view(whole.stats)}")
    fmt = kind
    if kind == "auto":
        check(whole.decided == split.decided,
              f"auto decided {whole.decided} whole, {split.decided} in chunks")
        if whole.decided is None:
            check(not got_whole and len(data) < whole.probe, "auto undecided yet delivered frames")
            return Case("undecided", Counter(bytes=len(data)))
        fmt = whole.decided
        ref = make_ref(fmt)
        check(ref.feed(data) == got_whole, f"auto ({fmt}) lost or changed frames against {fmt} alone")
        check(_stats_view(ref.stats) == _stats_view(whole.stats), "auto counters differ from its decoder's")
    for f in got_whole:
        check_frame(f, fmt)
    model = nmtp_model(data) if fmt == "nmtp" else ascii_model(data)
    check(got_whole == model.frames, f"{kind}: frames differ from the documented rules' "
                                     f"({len(got_whole)} vs {len(model.frames)})")
    check(_stats_view(whole.stats) == +model.stats,
          f"{kind}: counters {_stats_view(whole.stats)} != documented {+model.stats}")
    buffered = whole.delegate.buffered if kind == "auto" else whole.buffered
    check(buffered == model.buffered, f"{kind}: holds {buffered} bytes, the rules say {model.buffered}")
    accounted = model.frame_bytes + model.idle + model.blank + whole.stats.garbage_bytes + buffered
    check(accounted == len(data), f"{kind}: {len(data)} bytes in, {accounted} accounted for")
    counts: Counter[str] = _stats_view(whole.stats)
    counts["bytes"] += len(data)
    counts["frame_bytes"] += model.frame_bytes
    if fmt == "nmtp":
        seq, clock = SequenceTracker(), ClockUnwrapper()
        for f in got_whole:
            if isinstance(f, SampleBlock):
                check(seq.update(f) >= 0 and math.isfinite(clock.unwrap(f.t0_us)), "sequence/clock helpers")
        if original is not None and data:
            counts["damaged"] += len(model.damaged)
            allowed = set(original)
            if any(f not in allowed for f in got_whole):
                counts["undetected"] += 1  # a damaged frame that passed its CRC by chance
    outcome = f"{fmt}:frames" if got_whole else f"{fmt}:none"
    return Case(outcome, counts)


def make_ref(fmt: str) -> Any:
    return NmtpDecoder() if fmt == "nmtp" else AsciiDecoder()


def target_decoder(kind: str) -> Callable[[random.Random], tuple[bytes, Callable[[], Case]]]:
    def gen(rng: random.Random) -> tuple[bytes, Callable[[], Case]]:
        if kind == "commands":
            if rng.random() < 0.5:
                data = b"".join(rng.choice((encode_command(rng.choice(("ID", "STATUS", "RATE 80", "TARE"))),
                                            b"STATUS\r\n", b"rate 1000\n", b"\r\n", encode_response("ok"),
                                            b"\x00")) for _ in range(rng.randrange(1, 12)))
                data = mutate(rng, data, lambda: encode_command("MARK") + b"ID\r")
            else:
                data = random_bytes(rng)
            return data, lambda: run_decoder(kind, rng, data, None)
        data, original, _ = stream_input(rng, kind)
        return data, lambda: run_decoder(kind, rng, data, original)
    return gen


def target_splitter(rng: random.Random) -> tuple[bytes, Callable[[], Case]]:
    data = random_bytes(rng, 3000) if rng.random() < 0.5 else mutate(rng, ascii_session(rng), lambda: b"\x00")
    delims = rng.choice((b"\x00", b"\n", b"\r\n", b"\r", b","))
    pattern = re.compile(b"[" + re.escape(delims) + b"]")
    limit = rng.choice((1, 2, 5, 16, 64, 512, 1024))
    bytewise = rng.random() < 0.1 and len(data) < 4000

    def run() -> Case:
        st = CodecStats()
        sp = BoundedSplitter(pattern.split, limit)
        got: list[bytes] = []
        for c in pieces(data, chunkings(rng, len(data), bytewise)):
            got += sp.feed(c, st)
            check(sp.buffered <= limit, "splitter buffer over its limit")
        parts = pattern.split(data)
        tail = parts.pop()
        want = [p for p in parts if 0 < len(p) <= limit]
        long = [p for p in parts if len(p) > limit] + ([tail] if len(tail) > limit else [])
        check(got == want, "splitter pieces differ from bytes.split")
        check(st.overflows == len(long) and st.garbage_bytes == sum(map(len, long)),
              f"splitter counted {st.overflows} overflows/{st.garbage_bytes} bytes, expected "
              f"{len(long)}/{sum(map(len, long))}")
        check(sp.buffered == (len(tail) if len(tail) <= limit else 0), "splitter holds the wrong tail")
        return Case("pieces" if got else "none",
                    Counter(overflows=st.overflows, garbage_bytes=st.garbage_bytes))
    return data, run


# ==================================================================================================
# file seeds
# ==================================================================================================

def _series(rng: random.Random, n: int) -> tuple[np.ndarray, np.ndarray]:
    rate = rng.choice((10.0, 80.0, 1000.0, 2000.0))
    t = rng.uniform(0, 100) + np.arange(n) / rate
    if rng.random() < 0.3:
        t = np.sort(t + np.random.default_rng(rng.randrange(1 << 30)).uniform(0, 0.5 / rate, n))
    f = 20 + 5 * np.sin(np.arange(n) / 17.0) + np.random.default_rng(rng.randrange(1 << 30)).normal(0, 0.3, n)
    return t, f


def seed_ours(rng: random.Random) -> tuple[bytes, dict[str, str]]:
    t, f = _series(rng, rng.randrange(2, 200))
    out = io.StringIO()
    meta: dict[str, Any] = {"device": "nmt-sim", "rate_hz": 1000, "started": "2024-05-01T10:00:00+00:00"}
    if rng.random() < 0.7:
        meta["detector_config"] = json.dumps(DetectorConfig().to_dict())
    extra = ("raw", "flags") if rng.random() < 0.6 else ()
    w = RecordingWriter(out, meta, extra, exact=rng.random() < 0.6)
    split = sorted(rng.sample(range(1, t.size), min(t.size - 1, rng.randrange(3)))) if t.size > 1 else []
    for a, b in zip([0, *split], [*split, t.size], strict=True):
        ex = {"raw": np.arange(a, b) * 3 - 100, "flags": np.zeros(b - a, dtype=int)} if extra else None
        w.append(t[a:b], f[a:b], ex)
    w.close()
    text = out.getvalue()
    if rng.random() < 0.1:
        text += "# marker: lift\n"
    return text.encode(), {}


def seed_csv(rng: random.Random) -> tuple[bytes, dict[str, str]]:
    t, f = _series(rng, rng.randrange(2, 150))
    unit = rng.choice(("kg", "lb", "g", "N", "lbf", "kgf"))
    delim = rng.choice((",", "\t", " ", ","))
    tname, fname = rng.choice((("Time (s)", f"Load [{unit}]"), ("time", "force"), ("T", "F"),
                               ("sec", "value"), ("time_ms", f"force_{unit}"), ("t[µs]", "F")))
    per_s = 1e3 if tname == "time_ms" else 1e6 if tname == "t[µs]" else 1.0  # a clock in ms or µs
    cols = [tname, fname, "note"] if rng.random() < 0.5 else ["index", tname, fname]
    if delim == " ":
        cols = [c.replace(" ", "_") for c in cols]
        tname, fname = cols[cols.index(tname.replace(" ", "_"))], cols[cols.index(fname.replace(" ", "_"))]
    quote = delim != " " and rng.random() < 0.3
    lines = [delim.join(f'"{c}"' if quote else c for c in cols)]
    if rng.random() < 0.3:
        lines.insert(0, "# exported by Gauge Pro 2.1")
    for i in range(t.size):
        cells = {tname: f"{t[i] * per_s:.{rng.choice((3, 6))}f}", fname: f"{f[i]:.4g}",
                 "note": rng.choice(("", "ok", "x")), "index": str(i)}
        lines.append(delim.join(f'"{cells[c]}"' if quote and cells[c] else cells[c] or "-" for c in cols))
    eol = rng.choice(("\n", "\r\n", "\r"))
    return (eol.join(lines) + rng.choice((eol, ""))).encode(), {"time_col": tname, "force_col": fname,
                                                                 "unit": unit}


def seed_semicolon(rng: random.Random) -> tuple[bytes, dict[str, str]]:
    t, f = _series(rng, rng.randrange(2, 150))
    quote = rng.random() < 0.5
    q = '"' if quote else ""
    lines = [f"{q}Zeit (s){q};{q}Kraft (kg){q};{q}Kommentar{q}"]
    for i in range(t.size):
        note = rng.choice(("ruhig", "Start; los", "Größe", ""))
        lines.append(f"{q}{t[i]:.3f}{q};{q}{f[i]:.3f}{q};{q}{note}{q}".replace(".", ","))
    data = ("\r\n".join(lines) + "\r\n").encode(rng.choice(("latin-1", "utf-8")))
    return data, {"time_col": "Zeit (s)", "force_col": "Kraft (kg)", "unit": "kg"}


def seed_tindeq(rng: random.Random) -> tuple[bytes, dict[str, str]]:
    t, f = _series(rng, rng.randrange(2, 150))
    f = f / 2
    rows = "".join(f"{a!r},{b!r}\n" for a, b in zip(t.tolist(), f.tolist(), strict=True))
    kind = rng.randrange(5)
    if kind == 3:  # a critical-force test: blocks of its own between the summary and the data
        head = ("date,tag,comment,unit,critical force,reps,Rest time,Work time\n"
                "2026-29-07 09:35:19,endurance test ,,SI,10.35,24,3,7\n\nmedian values\n10.29\n10.39\n\n"
                "threshold time,threshold weight\n0.110805,3.07\n7.703949,2.99\n\ntime,weight\n")
    elif kind == 4:  # a repeaters set's or a partial export's rep summary
        head = rng.choice((",Avg,Rep 1\nAvg,1.8,1.8\nPeak,3.0,3.0\n,\n",
                           ",Overall Avg\nAvg,0.0\nPeak,0.0\n,\n")) + "time,weight\n"
    elif kind == 0:
        unit = rng.choice(("SI", "US", "imperial", "", "lbs"))
        head = ("date,tag,comment,unit,intervalTime (ms),IntervalThreshold,rfdInterval,rfd2080\n"
                f"2023-24-05 19:31:30,10000001,,{unit},100,0.5,-1.56,8.89\n\ntime,weight\n")
    elif kind == 1:
        head = ('date,tag,comment,unit,max,avg,duration,mvc,"Target Zone, lower(% of mvc)",'
                '"Target Zone, upper (% of mvc)"\n'
                "2023-30-04 18:48:28,10000001_balanza,,SI,29.87,25.79,30,-,-,-\n"
                ",,,,,,,,,\ntime,weight,,,,,,,,\n")
        rows = "".join(f"{a:.6g},{b:.4g},,,,,,,,\n" for a, b in zip(t.tolist(), f.tolist(), strict=True))
    else:
        head = "time,weight\n"
        rows = "".join(f"{a:.3f},{b:.1f}\n" for a, b in zip(t.tolist(), f.tolist(), strict=True))
    text = head + rows
    if rng.random() < 0.3:
        text = "\ufeff" + text.replace("\n", "\r\n")
    return text.encode(), {}


def seed_lab(rng: random.Random) -> tuple[bytes, dict[str, str]]:
    """A lab script's file: a preamble (a participant's details), a blank line, then a table whose
    time column is ISO date-times (a script's datetime.now()), in one of their written forms."""
    t, f = _series(rng, rng.randrange(2, 150))
    start = datetime(2025, 1, 27, 23, 59, 58, 983837, tzinfo=UTC if rng.random() < 0.3 else None)
    sep = rng.choice((" ", "T"))
    spec = rng.choice(("auto", "seconds", "milliseconds"))
    head = ["Participant Information", "Name,Somebody", "Age,", "Date,2025-01-27_23h59.58.983", ""]
    if rng.random() < 0.5:
        head = ["# exported by a lab script", *head]
    lines = [*head, rng.choice(("Force,Timestamp", "Timestamp,Force"))]
    for a, b in zip(t.tolist(), f.tolist(), strict=True):
        when = (start + timedelta(seconds=a - t[0])).isoformat(sep=sep, timespec=spec)
        when = when.replace("+00:00", "Z") if rng.random() < 0.5 else when
        lines.append(f"{b!r},{when}" if lines[len(head)].startswith("Force") else f"{when},{b!r}")
    eol = rng.choice(("\n", "\r\n"))
    return (eol.join(lines) + eol).encode(), {"time_col": "Timestamp", "force_col": "Force"}


def _gc_packets(rng: random.Random) -> list[dict[str, Any]]:
    zones = rng.choice((1, 1, 3))
    per = rng.choice((1, 3, 4))
    clock = rng.random() < 0.6
    out = []
    k = 0
    for j in range(rng.randrange(1, 40)):
        received = T0_MS + 50 * (j + 1)
        for _ in range(per):
            mass = [round(20.0 + 0.5 * math.sin(k / 10.0) + z, 6) for z in range(zones)]
            out.append({"received": received, "sampleNum": 1_000_000 + 12_500 * k if clock else 3600,
                        "battRaw": 0, "samples": [100 + k] * zones, "masses": mass})
            k += 1
    return out


def seed_gc_csv(rng: random.Random) -> tuple[bytes, dict[str, str]]:
    rows = []
    for p in _gc_packets(rng):
        cells = [p["received"], p["sampleNum"], p["battRaw"], *p["samples"], *p["masses"]]
        rows.append(",".join(f'"{c}"' for c in cells))
    return "\r\n".join(rows).encode(), {}


def seed_gc_json(rng: random.Random) -> tuple[bytes, dict[str, str]]:
    if rng.random() < 0.5:
        items: list[dict[str, Any]] = _gc_packets(rng)
    else:
        unit = rng.choice(("kg", "lbs", "kg", None))
        rate = rng.choice((100, 80, 0, "x"))
        items = [{"current": 10.0 + math.sin(k), "peak": 20.0, "mean": 12.0,
                  "timestamp": T0_MS + 40 * (k // 4 + 1), "samplingRateHz": rate, "samples": [1234 + k],
                  "battRaw": 3900} for k in range(rng.randrange(1, 80))]
        if unit:
            for it in items:
                it["unit"] = unit
    return json.dumps(items, indent=rng.choice((None, 2))).encode(), {}


READERS: dict[str, Callable[[random.Random], tuple[bytes, dict[str, str]]]] = {
    "read-ours": seed_ours, "read-csv": seed_csv, "read-semicolon": seed_semicolon,
    "read-tindeq": seed_tindeq, "read-gc-csv": seed_gc_csv, "read-gc-json": seed_gc_json,
    "read-lab": seed_lab,
}
ALL_SEEDS = list(READERS.values())


def _read(p: Path, data: bytes, scanner: Any, kw: dict[str, str]) -> Recording | RecordingError:
    saved = csvtable.SCANNER
    csvtable.SCANNER = scanner
    try:
        return read_data(p, data, **kw)
    except RecordingError as exc:
        return exc
    finally:
        csvtable.SCANNER = saved


def _outcome_key(r: Recording | RecordingError) -> tuple[object, ...]:
    if isinstance(r, RecordingError):
        return ("error", str(r), r.line)
    return ("rec", r.format, r.unit, r.time_unit, r.time_col, r.force_col, tuple(r.columns),
            tuple(sorted(r.metadata.items())), r.t.tobytes(), r.force_n.tobytes())


ERROR_KINDS = [("date-time", "date-time"), ("UTC offset", "date-time"),
               ("not a text file", "binary"), ("is empty", "empty"), ("not valid JSON", "bad-json"),
               ("not a Grip-Connect", "json-not-grip-connect"), ("no header row", "no-header"),
               ("time goes backwards", "time-backwards"), ("goes back in time", "time-backwards"),
               ("--time-unit", "time-unit"), ("unknown time unit", "time-unit"),
               ("the time column", "time-unit"),
               ("not a finite number", "not-finite"), ("decimal", "decimal-mark"),
               ("not a number", "not-a-number"), ("cell", "short-row"), ("is empty", "empty-cell"),
               ("no time column", "no-column"), ("no force column", "no-column"),
               ("unknown force unit", "unit"),
               ("not a known unit", "unit"), ("mixes force units", "unit"), ("in the unit", "unit"),
               ("by its name but --unit", "unit"), ("names two units", "unit"),
               ("cannot be read here", "unit"),
               ("row", "too-few-rows"), ("sample", "too-few-rows"), ("Tindeq", "tindeq-structure"),
               ("item", "json-item"), ("both", "same-column"), ("no column names", "grip-connect-flags"),
               ("too large", "too-large"), ("Unix time", "not-a-time"), ("split into cells", "unsplittable"),
               ("have no names to choose", "grip-connect-flags"), ("number too long", "too-large"),
               ("nested too deeply", "bad-json")]


def error_kind(msg: str) -> str:
    # Past the file's path, where a message starts with it (an option's message, "unknown time unit
    # 'x' for PATH; ...", names it later: cutting its first word hid its kind).
    after = msg.split(" ", 1)[1] if msg.startswith("/") and " " in msg else msg
    for phrase, kind in ERROR_KINDS:
        if phrase in after:
            return kind
    return "other"


def check_recording(r: Recording | RecordingError, p: Path) -> str:
    if isinstance(r, RecordingError):
        msg = str(r)
        check("\n" not in msg and "\r" not in msg, f"error message of several lines: {msg[:200]!r}")
        check(str(p) in msg, f"error message does not name the file: {msg[:200]!r}")
        check(len(msg) <= 600, f"error message of {len(msg)} characters: {msg[:200]!r}...")
        check(r.path == p, "RecordingError.path is not the file")
        check(msg.rstrip().endswith((".", ")")) or msg.endswith(".'") , f"not a sentence: {msg[-80:]!r}")
        return "error:" + error_kind(msg)
    check(isinstance(r, Recording), "read returned no Recording")
    for name in ("t", "force_n"):
        a = getattr(r, name)
        check(isinstance(a, np.ndarray) and a.dtype == np.float64 and a.ndim == 1,
              f"{name} is no float64 vector")
        check(bool(np.all(np.isfinite(a))), f"{name} has non-finite values")
    check(r.t.size == r.force_n.size >= 2, f"lengths {r.t.size}/{r.force_n.size}")
    check(bool(np.all(r.t[1:] >= r.t[:-1])), "time goes backwards in a Recording")
    check(r.format in FORMATS and r.unit in UNITS, f"format {r.format!r} unit {r.unit!r}")
    check(r.time_unit in TIME_UNITS, f"time unit {r.time_unit!r}")
    check(all(isinstance(k, str) and isinstance(v, str) for k, v in r.metadata.items()), "metadata not text")
    check(all(isinstance(c, str) for c in r.columns), "columns not text")
    return "ok:" + r.format


class FileSample:
    """A few reused file names in a temporary directory, for the cases also read from disk."""

    def __init__(self) -> None:
        shm = "/dev/shm" if os.path.isdir("/dev/shm") else None  # a RAM disk when there is one
        self._dir = tempfile.TemporaryDirectory(prefix="nmt-fuzz-", dir=shm)
        self.dir = Path(self._dir.name)

    def path(self, target: str) -> Path:
        return self.dir / f"{target}.csv"


FILES: FileSample | None = None


def target_reader(name: str) -> Callable[[random.Random], tuple[bytes, Callable[[], Case]]]:
    seed = READERS[name]

    def gen(rng: random.Random) -> tuple[bytes, Callable[[], Case]]:
        kw: dict[str, str] = {}
        if rng.random() < 0.1:
            data = random_bytes(rng, 4000)
        else:
            data, kw = seed(rng)
            if rng.random() < 0.92:
                data = mutate(rng, data, lambda: rng.choice(ALL_SEEDS)(rng)[0],
                              json_like=name == "read-gc-json")
        if rng.random() < 0.04:  # odd flags
            kw = dict(kw)
            key = rng.choice(("time_col", "force_col", "unit", "time_unit"))
            kw[key] = rng.choice(("", "t_s", "force_n", "stone", "KG", "lbs", "time", "\x00", "é" * 300,
                                  "weight", "ms", "us", "s"))
        from_file = rng.random() < 0.01

        def run() -> Case:
            p = Path(f"/fuzz/{name}.csv")
            fast = _read(p, data, COMPILED, kw) if COMPILED is not None else None
            slow = _read(p, data, None, kw)
            outcome = check_recording(slow, p)
            if fast is not None:
                check_recording(fast, p)
                check(_outcome_key(fast) == _outcome_key(slow),
                      f"scanner and fallback disagree: {_brief(fast)} / {_brief(slow)}")
            if from_file and FILES is not None:
                fp = FILES.path(name)
                fp.write_bytes(data)
                try:
                    disk: Recording | RecordingError = read_recording(fp, **kw)
                except RecordingError as exc:
                    disk = exc
                want = _read(fp, data, COMPILED, kw)
                check(_outcome_key(disk) == _outcome_key(want),
                      "reading the file differs from reading its bytes")
            counts: Counter[str] = Counter(bytes=len(data))
            if isinstance(slow, Recording):
                counts["rows"] += len(slow)
                if "partial_last_line" in slow.metadata:
                    counts["partial_last_line"] += 1
            return Case(outcome, counts)
        return data, run
    return gen


def _brief(r: Recording | RecordingError) -> str:
    if isinstance(r, RecordingError):
        return f"error {str(r)[:160]!r}"
    return f"{r.format} {len(r)} rows"


def target_config(rng: random.Random) -> tuple[bytes, Callable[[], Case]]:
    base = json.dumps(DetectorConfig(target=rng.choice((None, 30.0))).to_dict()).encode()
    r = rng.random()
    if r < 0.15:
        text = random_bytes(rng)
    elif r < 0.25:
        text = rng.choice(JSON_TOKENS)
    else:
        text = mutate(rng, base, lambda: rng.choice(JSON_TOKENS), json_like=True)

    def run() -> Case:
        meta = {"detector_config": text.decode("utf-8", rng.choice(("replace", "surrogateescape")))}
        cfg = recorded_config(meta)
        check(cfg is None or isinstance(cfg, dict), f"recorded_config gave {type(cfg).__name__}")
        return Case("none" if cfg is None else "dict")
    return text, run


# ==================================================================================================
# the run
# ==================================================================================================

TARGETS: dict[str, Callable[[random.Random], tuple[bytes, Callable[[], Case]]]] = {
    "nmtp": target_decoder("nmtp"), "ascii": target_decoder("ascii"), "auto": target_decoder("auto"),
    "commands": target_decoder("commands"), "splitter": target_splitter,
    **{name: target_reader(name) for name in READERS}, "config": target_config,
}


WATCHED: list[float] = [0, 0.0]  # the case under way and when it started


def watchdog(limit: float, main_thread: int) -> None:
    """Print the stack of any case that runs longer than ``limit`` seconds (a hang, a blow-up)."""
    reported = -1.0
    while True:
        time.sleep(min(1.0, limit / 4))
        index, started = WATCHED
        if index != reported and time.monotonic() - started > limit:
            reported = index
            frame = sys._current_frames().get(main_thread)
            stack = "".join(traceback.format_stack(frame)[-8:]) if frame is not None else ""
            print(f"watchdog: case {index:.0f} has run for over {limit:g} s, RSS {rss_mb():.0f} MB:\n{stack}",
                  file=sys.stderr, flush=True)


def case_rng(seed: int, index: int) -> random.Random:
    return random.Random(f"nmt-fuzz:{seed}:{index}")


@dataclass
class Failure:
    target: str
    index: int
    what: str
    detail: str
    saved: Path | None = None


@dataclass
class Totals:
    cases: Counter[str] = field(default_factory=Counter)
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    seconds: Counter[str] = field(default_factory=Counter)
    slowest: dict[str, tuple[float, int]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)


def run_case(seed: int, index: int, names: Sequence[str], totals: Totals, save: Path | None) -> None:
    name = names[index % len(names)]
    rng = case_rng(seed, index)
    t0 = time.perf_counter()
    data = b""
    try:
        data, run = TARGETS[name](rng)
        result = run()
    except Violation as exc:
        totals.failures.append(Failure(name, index, "invariant", str(exc)))
        result = Case("FAILED")
    except Exception as exc:
        detail = "".join(traceback.format_exception(exc)[-6:])
        totals.failures.append(Failure(name, index, f"{type(exc).__name__}", detail))
        result = Case("FAILED")
    dt = time.perf_counter() - t0
    if result.outcome == "FAILED" and save is not None:
        save.mkdir(parents=True, exist_ok=True)
        f = save / f"{name}-seed{seed}-case{index}.bin"
        f.write_bytes(data)
        totals.failures[-1].saved = f
    totals.cases[name] += 1
    totals.seconds[name] += dt
    totals.outcomes.setdefault(name, Counter())[result.outcome] += 1
    totals.counts.setdefault(name, Counter()).update(result.counts)
    if dt > totals.slowest.get(name, (0.0, 0))[0]:
        totals.slowest[name] = (dt, index)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=1_100_000, help="cases over all targets [1100000]")
    ap.add_argument("--targets", default="all", help=f"comma-separated, of: {', '.join(TARGETS)}")
    ap.add_argument("--case", type=int, default=None, help="run only this case index (a reproducer)")
    ap.add_argument("--start", type=int, default=0, help="first case index")
    ap.add_argument("--save", type=Path, default=None, help="save each failing input in this folder")
    ap.add_argument("--progress", type=float, default=30.0, help="seconds between progress lines (0: none)")
    ap.add_argument("--watchdog", type=float, default=60.0,
                    help="print the stack of a case that runs longer than this many seconds")
    args = ap.parse_args(argv)
    print(describe())  # the installed package, and which of its implementations runs
    names = list(TARGETS) if args.targets == "all" else [t.strip() for t in args.targets.split(",")]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        ap.error(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    global FILES
    FILES = FileSample()
    totals = Totals()
    start_rss = rss_mb()
    t_start = time.perf_counter()
    first, count = (args.case, 1) if args.case is not None else (args.start, args.cases)
    indices = range(first, first + count)
    warm_rss: float | None = None
    rss_samples: list[float] = []
    last_progress = t_start
    if args.watchdog:
        threading.Thread(target=watchdog, args=(args.watchdog, threading.get_ident()), daemon=True).start()
    for k, index in enumerate(indices):
        WATCHED[:] = [index, time.monotonic()]
        run_case(args.seed, index, names, totals, args.save)
        if k % 2000 == 0:
            rss_samples.append(rss_mb())
            if warm_rss is None and k >= len(indices) // 20:
                warm_rss = rss_samples[-1]
        now = time.perf_counter()
        if args.progress and now - last_progress >= args.progress:
            last_progress = now
            print(f"[{now - t_start:7.0f} s] {k + 1} cases, {(k + 1) / (now - t_start):.0f}/s, "
                  f"RSS {rss_mb():.0f} MB, failures {len(totals.failures)}", file=sys.stderr, flush=True)
    wall = time.perf_counter() - t_start
    end_rss = rss_mb()
    return report(args, names, totals, wall, start_rss, end_rss, warm_rss, peak_mb())


def report(args: argparse.Namespace, names: Sequence[str], totals: Totals, wall: float, start_rss: float,
           end_rss: float, warm_rss: float | None, peak: float) -> int:
    n = sum(totals.cases.values())
    scanner = "compiled" if COMPILED is not None else "NOT BUILT (fallback only)"
    print(f"nmt-pressure fuzz: seed {args.seed}, {n} cases in {wall:.1f} s "
          f"({n / max(wall, 1e-9):.0f} cases/s); CSV scanner {scanner}")
    print(f"RSS: start {start_rss:.0f} MB, after warm-up {warm_rss or end_rss:.0f} MB, end {end_rss:.0f} MB, "
          f"peak {peak:.0f} MB")
    print()
    print(f"{'target':<16}{'cases':>9}{'cases/s':>9}{'slowest':>9} {'(case)':>8}  outcomes")
    for name in names:
        c = totals.cases[name]
        if not c:
            continue
        outs = ", ".join(f"{k} {v}" for k, v in totals.outcomes[name].most_common())
        slow, where = totals.slowest[name]
        print(f"{name:<16}{c:>9}{c / max(totals.seconds[name], 1e-9):>9.0f}{slow * 1e3:>7.0f}ms "
              f"{where:>8}  {outs}")
    print()
    print("counted per target (errors by kind, bytes):")
    for name in names:
        if totals.counts.get(name):
            print(f"  {name:<14} " + ", ".join(f"{k} {v}" for k, v in sorted(totals.counts[name].items())))
    failed = False
    nmtp_like = [totals.counts.get(t, Counter()) for t in ("nmtp", "auto")]
    undetected = sum(c["undetected"] for c in nmtp_like)
    # Distinct frames of mutated streams that reached the CRC damaged: one in 65536 of them may
    # pass it (a little more with the one-byte repair tried first), so about this many get through.
    damaged = sum(c["damaged"] for c in nmtp_like)
    expected = damaged * 2 / 65536
    print()
    print(f"nmtp: {undetected} damaged frame(s) of mutated streams passed their CRC undetected; about "
          f"{expected:.1f} expected of the {damaged} distinct ones that reached the CRC damaged (1 in 65536)")
    if undetected > 3 * expected + 10:
        print("FAIL: far more undetected corruption than a 16-bit CRC allows")
        failed = True
    growth = end_rss - (warm_rss or end_rss)
    if growth > GROWTH_MB or peak - start_rss > PEAK_MB:
        print(f"FAIL: memory grew by {growth:.0f} MB after the warm-up (peak {peak:.0f} MB)")
        failed = True
    if totals.failures:
        failed = True
        print(f"\n{len(totals.failures)} FAILURE(S):")
        for f in totals.failures[:50]:
            rerun = f"--seed {args.seed} --case {f.index}"
            if args.targets != "all":  # the case's target depends on the list
                rerun += f" --targets {args.targets}"
            print(f"- {f.target} case {f.index} ({f.what}): rerun with {rerun}"
                  + (f"; input saved as {f.saved}" if f.saved else ""))
            print("    " + f.detail.strip().replace("\n", "\n    ")[:2000])
        kinds = Counter((f.target, f.what, f.detail.strip().splitlines()[-1][:100]) for f in totals.failures)
        print("\nfailures by kind:")
        for (t, w, d), c in kinds.most_common():
            print(f"  {c:>6}  {t} {w}: {d}")
    else:
        print("no unexpected exception, no broken invariant")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
