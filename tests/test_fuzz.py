"""Hostile input: every codec and reader under Hypothesis, a fixed-seed sample of ``tools/fuzz.py``,
a regression test for each bug the fuzzer found, and recordings read while they are being written.

The long run is ``python tools/fuzz.py`` (a million cases and more); here the same checks run on a
bounded sample so that the file takes well under a minute.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, cast

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from toolmods import load_tool

from nmt_pressure.cli import main as cli
from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.io import csvtable
from nmt_pressure.io.recording import Recording, RecordingError, RecordingWriter, read_data, read_recording
from nmt_pressure.io.rectypes import recorded_config
from nmt_pressure.protocol import (
    AsciiDecoder,
    AutoDecoder,
    CodecStats,
    CommandDecoder,
    CommandFrame,
    NmtpDecoder,
    Reading,
    encode_banner,
    encode_command,
    encode_samples,
)
from nmt_pressure.protocol.splitter import BoundedSplitter

fuzz: Any = load_tool("fuzz")

COMPILED = csvtable.SCANNER
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Examples whose rare failure could be a 1-in-65536 CRC coincidence: the same ones every run.
FIXED = settings(max_examples=60, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])
FUZZ_PATH = Path("/fuzz/case.csv")


def readers(data: bytes, **kw: str) -> tuple[object, object]:
    """What the compiled scanner and the fallback make of ``data``: a Recording or a RecordingError."""
    out = []
    saved = csvtable.SCANNER
    for scanner in (COMPILED, None):
        csvtable.SCANNER = scanner
        try:
            out.append(read_data(FUZZ_PATH, data, **kw))
        except RecordingError as exc:
            out.append(exc)
        finally:
            csvtable.SCANNER = saved
    return out[0], out[1]


def same_outcome(data: bytes, **kw: str) -> object:
    """Both readers' outcome, checked as the fuzzer checks it and required to be the same."""
    fast, slow = readers(data, **kw)
    fuzz.check_recording(fast, FUZZ_PATH)
    fuzz.check_recording(slow, FUZZ_PATH)
    if COMPILED is not None:
        assert fuzz._outcome_key(fast) == fuzz._outcome_key(slow), (fast, slow)
    return slow


# --------------------------------------------------------------------------------------------------
# codecs under Hypothesis
# --------------------------------------------------------------------------------------------------

@st.composite
def streams(draw: st.DrawFn, kind: str) -> tuple[bytes, list[int]]:
    """A stream (random, or a valid one mutated by the fuzzer's operators) and cut points."""
    seed = draw(st.integers(0, 2**32))
    rng = fuzz.random.Random(seed)
    if draw(st.booleans()):
        data = draw(st.binary(max_size=600))
    else:
        data, _, _ = fuzz.stream_input(rng, kind)
        data = data[:20_000]
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=30)))
    return data, cuts


@FIXED
@given(streams("nmtp"))
def test_nmtp_decoder_matches_the_documented_rules_in_any_split(case: tuple[bytes, list[int]]) -> None:
    data, cuts = case
    rng = fuzz.random.Random(len(data))
    fuzz.run_decoder("nmtp", rng, data, None)
    dec = NmtpDecoder()
    got = [f for piece in fuzz.pieces(data, cuts) for f in dec.feed(piece)]
    assert got == NmtpDecoder().feed(data) == fuzz.nmtp_model(data).frames


@FAST
@given(streams("ascii"))
def test_ascii_decoder_matches_the_documented_rules_in_any_split(case: tuple[bytes, list[int]]) -> None:
    data, cuts = case
    fuzz.run_decoder("ascii", fuzz.random.Random(len(data)), data, None)
    dec = AsciiDecoder()
    got = [f for piece in fuzz.pieces(data, cuts) for f in dec.feed(piece)]
    assert got == fuzz.ascii_model(data).frames
    assert dec.buffered <= dec.max_line


@FIXED
@given(streams("auto"))
def test_auto_decoder_decides_alike_in_any_split(case: tuple[bytes, list[int]]) -> None:
    data, cuts = case
    fuzz.run_decoder("auto", fuzz.random.Random(len(data)), data, None)
    whole, split = AutoDecoder(), AutoDecoder()
    whole.feed(data)
    for piece in fuzz.pieces(data, cuts):
        split.feed(piece)
    assert whole.decided == split.decided


@FAST
@given(st.binary(max_size=3000), st.data())
def test_command_decoder_never_raises_and_any_split_agrees(data: bytes, draw: st.DataObject) -> None:
    cuts = sorted(draw.draw(st.lists(st.integers(0, len(data)), max_size=40)))
    whole = CommandDecoder()
    got = whole.feed(data)
    split = CommandDecoder()
    assert [f for p in fuzz.pieces(data, cuts) for f in split.feed(p)] == got
    assert split.stats == whole.stats and split.buffered <= split.max_frame
    assert all(isinstance(f, CommandFrame) for f in got)


@FAST
@given(st.binary(max_size=2000), st.sampled_from([b"\x00", b"\n", b","]), st.integers(1, 80), st.data())
def test_splitter_is_bytes_split_with_a_bounded_buffer(data: bytes, delim: bytes, limit: int,
                                                       draw: st.DataObject) -> None:
    cuts = sorted(draw.draw(st.lists(st.integers(0, len(data)), max_size=40)))
    sp, stats = BoundedSplitter(lambda b: b.split(delim), limit), CodecStats()
    got = []
    for piece in fuzz.pieces(data, cuts):
        got += sp.feed(piece, stats)
        assert sp.buffered <= limit
    parts = data.split(delim)
    tail = parts.pop()
    assert got == [p for p in parts if 0 < len(p) <= limit]
    too_long = [p for p in [*parts, tail] if len(p) > limit]
    assert (stats.overflows, stats.garbage_bytes) == (len(too_long), sum(map(len, too_long)))


# --------------------------------------------------------------------------------------------------
# readers under Hypothesis
# --------------------------------------------------------------------------------------------------

@FAST
@given(st.sampled_from(sorted(fuzz.READERS)), st.integers(0, 2**32), st.booleans())
def test_readers_on_mutated_files(name: str, seed: int, mutate: bool) -> None:
    rng = fuzz.random.Random(seed)
    data, kw = fuzz.READERS[name](rng)
    if mutate:
        data = fuzz.mutate(rng, data, lambda: rng.choice(fuzz.ALL_SEEDS)(rng)[0],
                           json_like=name == "read-gc-json")
    same_outcome(data, **kw)


@FAST
@given(st.binary(max_size=1500) | st.text(alphabet="0123456789.,;eE-+ \t\r\n#\"abtsforce_n", max_size=400)
       .map(lambda s: s.encode()))
def test_readers_on_random_bytes(data: bytes) -> None:
    same_outcome(data)
    same_outcome(b"t_s,force_n\n" + data)


@FAST
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                                 max_size=4), max_leaves=30),
       st.binary(max_size=50))
def test_recorded_config_is_a_dict_or_none(value: object, noise: bytes) -> None:
    text = json.dumps(value)
    for t in (text, text[: len(text) // 2], noise.decode("latin-1"), "[" * 5000 + text):
        cfg = recorded_config({"detector_config": t})
        assert cfg is None or isinstance(cfg, dict)


# --------------------------------------------------------------------------------------------------
# the tool itself, on a fixed seed
# --------------------------------------------------------------------------------------------------

def test_fuzz_tool_fixed_seed_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = fuzz.main(["--seed", "6", "--cases", "3000", "--progress", "0", "--watchdog", "0",
                      "--save", str(tmp_path / "failed")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "no unexpected exception, no broken invariant" in out
    for target in fuzz.TARGETS:  # every target ran
        assert f"\n{target} " in out
    assert not (tmp_path / "failed").exists()


def test_fuzz_tool_counts_a_corrupt_frame_that_passes_its_crc() -> None:
    # The check for undetected corruption works: a valid frame that was not in the original
    # stream is one (as a damaged frame passing its CRC by chance would be).
    original = [NmtpDecoder().feed(encode_samples(1, 2, 3, [4]))[0]]
    case = fuzz.run_decoder("nmtp", fuzz.random.Random(0), encode_samples(1, 2, 3, [5]), original)
    assert case.counts["undetected"] == 1


def test_fuzz_tool_saves_and_names_a_failing_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def broken(rng: object) -> tuple[bytes, object]:
        def run() -> None:
            raise KeyError("boom")
        return b"input", run
    monkeypatch.setitem(fuzz.TARGETS, "config", broken)
    code = fuzz.main(["--seed", "3", "--cases", "5", "--targets", "config", "--progress", "0",
                      "--watchdog", "0", "--save", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1 and "--seed 3 --case 0" in out and "KeyError" in out
    assert (tmp_path / "config-seed3-case0.bin").read_bytes() == b"input"


# --------------------------------------------------------------------------------------------------
# regressions: one per bug the fuzzer found
# --------------------------------------------------------------------------------------------------

def test_recorded_config_nested_too_deep_is_none() -> None:
    # json.loads raised RecursionError, which escaped.
    assert recorded_config({"detector_config": "[" * 100_000}) is None
    assert recorded_config({"detector_config": '{"a":' * 50_000}) is None
    assert recorded_config({"detector_config": "1" * 5000}) is None  # over Python's 4300 digits


@pytest.mark.parametrize("where", ["unwanted", "wanted", "header"])
def test_cell_over_the_csv_modules_limit(where: str) -> None:
    # csv.reader raised "_csv.Error: field larger than field limit (131072)" out of the reader, for
    # a line the scanner left to the reference parser (here for its form feed) or a header row.
    big = "x" * 200_000
    rows = ["t_s,force_n,note", "0,1,a", f"0.1\x0c,2,{big}", "0.2,3,c"]
    if where == "wanted":
        rows[2] = f"0.1,{big},b"
    elif where == "header":
        rows[0] = f"t_s,force_n,{big}"
    out = same_outcome(("\n".join(rows) + "\n").encode())
    if where == "wanted":
        assert isinstance(out, RecordingError) and "line 3" in str(out) and len(str(out)) < 300
    else:
        assert isinstance(out, Recording) and out.force_n.tolist() == [1.0, 2.0, 3.0]


def test_messages_stay_short_whatever_the_file() -> None:
    # A cell of 70 000 characters, or a header of 2000 columns, made messages of that size.
    msg = str(same_outcome(b"t_s,force_n\n0,1\n0.1," + b"9" * 70_000 + b"x\n"))
    assert len(msg) < 300 and "70001 characters" in msg
    msg = str(same_outcome(",".join(f"c{i}" for i in range(2000)).encode() + b"\n1,2\n"))
    assert len(msg) < 400 and "and 1992 more" in msg


@pytest.mark.parametrize(("text", "kw", "line"), [
    ("time,weight\n0,1\n1,1e308\n", {}, 3),  # Tindeq: kilograms
    ("t_s,force\n0,1.7e308\n1,1\n", {"force_col": "force", "unit": "lb"}, 2),
    ("t_s,force_lb\n0,1.7e308\n1,1\n", {"force_col": "force_lb"}, 2),  # pounds by the column's name
])
def test_force_beyond_a_double_once_in_newtons(text: str, kw: dict[str, str], line: int) -> None:
    # 1e308 kg is inf N: the Recording held a non-finite force (and numpy warned on stderr).
    out = same_outcome(text.encode(), **kw)
    assert isinstance(out, RecordingError) and f"line {line}" in str(out) and "too large" in str(out)


def gc_packets(n: int = 6) -> list[dict[str, Any]]:
    return [{"received": 1_714_000_000_000 + 50 * k, "sampleNum": 1_000_000 + 12_500 * k, "battRaw": 0,
             "samples": [100], "masses": [20.0]} for k in range(n)]


@pytest.mark.parametrize(("key", "value", "expect"), [
    ("masses", [10**400], "item 3"),  # OverflowError converting to float
    ("masses", [1e308, 1e308], "item 3"),  # two zones where the first item has one
    ("received", 10**400, "item 3"),
    ("received", 1e300, "not a time in Unix milliseconds"),  # datetime overflow
    ("received", 5, "not a time in Unix milliseconds"),
])
def test_grip_connect_json_hostile_numbers(key: str, value: object, expect: str) -> None:
    items = gc_packets()
    items[2][key] = value
    out = same_outcome(json.dumps(items).encode())
    assert isinstance(out, RecordingError) and expect in str(out), out


def test_grip_connect_json_sum_of_zones_too_large() -> None:
    items = gc_packets()
    for it in items:
        it["masses"] = [1e308, 1e308]
    out = same_outcome(json.dumps(items).encode())
    assert isinstance(out, RecordingError) and "item 1" in str(out) and "too large" in str(out)


DEEP_UNIT = ('[{"timestamp": 1714000000000, "current": 1, "unit": ' + "[" * 900 + "]" * 900
             + '}, {"timestamp": 1714000000040, "current": 2, "unit": "kg"}]')


@pytest.mark.parametrize("text", ["[" * 50_000, "[" + "1" * 5000 + "]", DEEP_UNIT])
def test_grip_connect_json_nested_too_deep_or_too_long(text: str) -> None:
    # RecursionError / ValueError (4300-digit limit) escaped json.loads.
    out = same_outcome(text.encode())
    assert isinstance(out, RecordingError)


def test_grip_connect_csv_with_many_zones() -> None:
    # More than 64 columns to read made the compiled scanner raise ValueError.
    zones = 70
    rows = [",".join(f'"{c}"' for c in [1_714_000_000_000 + 50 * k, 1000 + 12_500 * k, 0, *[1] * zones,
                                          *[0.5] * zones]) for k in range(4)]
    out = same_outcome("\r\n".join(rows).encode())
    assert isinstance(out, Recording) and out.force_n[0] == pytest.approx(35 * 9.80665)


@pytest.mark.parametrize("cell", ["٣", "２4", "1\u2028", "3\xa05"])
def test_other_scripts_digits_and_spaces_read_alike(cell: str) -> None:
    # float() took "٣" for 3 and "２4" for 24 where numpy's reader refused them; Python's split()
    # cut cells at U+00A0 where the scanner and numpy did not, or the other way round.
    for sep in (",", " "):
        same_outcome(f"t_s{sep}force_n\n0{sep}1\n0.5{sep}{cell}\n1{sep}2\n".encode())
        same_outcome(f"t_s{sep}force_n\n0{sep}1\n{cell}{sep}9 1\n".encode())


@pytest.mark.parametrize("row", ['"0.1","2","o.5', '"0.1","2","ok".5","1"', '"0.1","2","0#"',
                                 '0.1,2,85"b\t7,"e', '"0.1","2"",x'])
def test_quotes_read_alike_by_both_readers(row: str) -> None:
    # numpy let a quoted cell run on over line ends (swallowing rows) and hold a '#'.
    text = f'"t_s","force_n","note"\n"0","1","a"\n{row}\n"0.2","3","c"\n"0.3","4","d"\n'
    same_outcome(text.encode())


def test_one_file_one_encoding_in_messages() -> None:
    # A cell was quoted as UTF-8 by one reader and as latin-1 by the other in a mixed file.
    data = "t_s;force_n\n0;1\n0,1;2,5ö\n".encode() + b"0,2;3\xff\n"
    out = same_outcome(data)
    assert isinstance(out, RecordingError) and "line 3" in str(out) and "2,5Ã¶" in str(out)


def test_bom_at_the_start_of_the_data() -> None:
    same_outcome(b"t_s,force_n\n\xef\xbb\xbf0,1\n1,2\n")


def test_reading_from_memory_is_reading_the_file(tmp_path: Path) -> None:
    # The fallback read the file a second time (numpy.loadtxt(path)): a file growing in between
    # gave rows the first read never saw. Now both read the same bytes.
    p = tmp_path / "r.csv"
    data = b"t_s,force_n\n0,1\n0.5,2\n1,3\n"
    p.write_bytes(data)
    for scanner in (COMPILED, None):
        saved, csvtable.SCANNER = csvtable.SCANNER, scanner
        try:
            assert read_recording(p).t.tolist() == read_data(p, data).t.tolist() == [0.0, 0.5, 1.0]
        finally:
            csvtable.SCANNER = saved


def test_auto_decides_on_what_came_first_whatever_the_reads() -> None:
    # Two text lines, then an nmtp frame, in one read: "nmtp" (the frame was checked first); byte by
    # byte: "ascii". Now the first to complete decides, either way.
    lines = b"\r\nHX711 Demo\r\nReady\r\n"
    for data, fmt in ((b"\x00" + lines + b"\x00" + encode_banner("nmt-sim"), "ascii"),
                      (b"\x00" + encode_banner("nmt-sim") + lines, "nmtp")):
        whole = AutoDecoder()
        whole.feed(data)
        bytewise = AutoDecoder()
        for i in range(len(data)):
            bytewise.feed(data[i:i + 1])
        assert whole.decided == bytewise.decided == fmt


def test_splitter_drops_an_over_long_piece_that_came_in_one_read() -> None:
    # It was handed on (and dropped by the codec) in one read, but dropped by the splitter when it
    # came in pieces; the splitter's pieces depended on the reads.
    for chunks in ([b"x" * 40 + b"\nok\n"], [b"x" * 20, b"x" * 20 + b"\nok\n"]):
        sp, stats = BoundedSplitter(lambda b: b.split(b"\n"), 16), CodecStats()
        assert [p for c in chunks for p in sp.feed(c, stats)] == [b"ok"]
        assert (stats.overflows, stats.garbage_bytes) == (1, 40)


@pytest.mark.parametrize("noise", [b"7" * 3000, b"\n" * 3000, b"\x01" * 2000 + b"\r" + b"7" * 600])
def test_commands_heard_after_line_noise(noise: bytes) -> None:
    # After an over-long text line the device ignored typed commands until a 0x00 came, or heard
    # an over-long line as a command when it came in one read; blank lines piled up in the buffer
    # until a command after them no longer fitted.
    data = noise + b"\nSTATUS\r\n" + encode_command("ID")
    whole = CommandDecoder().feed(data)
    bytewise = CommandDecoder()
    assert [f for i in range(len(data)) for f in bytewise.feed(data[i:i + 1])] == whole
    assert whole[-2:] == [CommandFrame("STATUS"), CommandFrame("ID")]


def test_ascii_overflow_counted_once_in_any_split() -> None:
    data = b"1" * 2000 + b"\r\n12.5 N\r\n"
    whole = AsciiDecoder()
    assert whole.feed(data) == [Reading(12.5, "N")]
    chunked = AsciiDecoder()
    got = [f for i in range(0, len(data), 300) for f in chunked.feed(data[i:i + 300])]
    assert got == [Reading(12.5, "N")]
    assert whole.stats == chunked.stats and whole.stats.overflows == 1


# --------------------------------------------------------------------------------------------------
# a file that is being written while it is analysed
# --------------------------------------------------------------------------------------------------

HEAD = "# nmt_pressure recording\n# device: sim\nt_s,force_n,raw,flags\n"
ROWS = "".join(f"{i / 1000!r},{10 + i * 0.25!r},{i},0\n" for i in range(6))


@pytest.mark.parametrize("cut", range(1, 16))
def test_our_recording_cut_anywhere_in_its_last_row(tmp_path: Path, cut: int) -> None:
    # The last row, "0.005,11.25,5,0\n", cut after `cut` characters with no line end: left out,
    # whether what is there reads as a number or not, and said so in the metadata.
    last = ROWS.splitlines(keepends=True)[-1]
    p = tmp_path / "live.csv"
    p.write_text(HEAD + "".join(ROWS.splitlines(keepends=True)[:-1]) + last[:cut])
    for scanner in (COMPILED, None):
        saved, csvtable.SCANNER = csvtable.SCANNER, scanner
        try:
            rec = read_recording(p)
        finally:
            csvtable.SCANNER = saved
        assert rec.t.tolist() == [i / 1000 for i in range(5)]
        assert rec.force_n.tolist() == [10 + i * 0.25 for i in range(5)]
        assert rec.metadata["partial_last_line"].startswith("line 9:")


def test_complete_bad_last_row_is_still_an_error(tmp_path: Path) -> None:
    p = tmp_path / "live.csv"
    p.write_text(HEAD + ROWS + "0.006\n")
    with pytest.raises(RecordingError, match="line 10"):
        read_recording(p)
    p.write_text(HEAD + ROWS + "0.006,x\n")
    with pytest.raises(RecordingError, match="line 10"):
        read_recording(p)
    p.write_text(HEAD + ROWS)  # complete: nothing left out
    assert "partial_last_line" not in read_recording(p).metadata


@pytest.mark.parametrize(("tail", "kept"), [("0.5,", 2), ("0.5,3", 3), ("0.", 2), ("-1,3", 2),
                                            ("0.5,1e999", 2), ("# a comm", 2), ("   ", 2)])
def test_other_csv_keeps_an_unended_last_row_that_reads(tmp_path: Path, tail: str, kept: int) -> None:
    # Not our format: many programs end the file without a line break, so a last row that reads is
    # kept; one that does not (cut, time going back, not finite) is left out, not an error.
    p = tmp_path / "other.csv"
    p.write_text("time_s,load\n0,1\n0.25,2\n" + tail)
    rec = read_recording(p, time_col="time_s", force_col="load")
    assert len(rec) == kept
    assert ("partial_last_line" in rec.metadata) == (kept == 2 and bool(tail.strip()) and "#" not in tail)


def test_grip_connect_csv_with_a_torn_last_row(tmp_path: Path) -> None:
    rows = [",".join(f'"{c}"' for c in [1_714_000_000_000 + 50 * k, 1_000_000 + 12_500 * k, 0, 100, 20.5])
            for k in range(5)]
    p = tmp_path / "gc.csv"
    p.write_text("\r\n".join(rows))  # the app writes no final line end: the last row is kept
    assert len(read_recording(p)) == 5
    p.write_text("\r\n".join(rows)[:-9])  # torn inside the last row's mass
    rec = read_recording(p)
    assert len(rec) == 4 and rec.metadata["partial_last_line"].startswith("line 5:")


def test_analyze_a_recording_still_being_written(tmp_path: Path) -> None:
    p = tmp_path / "live.csv"
    t = np.arange(0, 6, 0.01)
    f = np.where((t > 1) & (t < 4.5), 20.0, 0.0)
    with open(p, "w", encoding="utf-8", newline="\n") as fh, RecordingWriter(fh, {}, exact=True) as w:
        w.append(t, f)
    with open(p, "a", encoding="utf-8") as fh:
        fh.write("6.0,20.12")  # the recorder's next row, cut mid-number
    proc = subprocess.run([sys.executable, "-m", "nmt_pressure", "analyze", str(p), "--json", "-"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert [h["ended_by"] for h in json.loads(proc.stdout)["holds"]] == ["release"]
    out = tmp_path / "report"
    assert cli.main(["report", str(p), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    assert len(json.loads((out / "live.holds.json").read_text())["holds"]) == 1


def _same_prefix(part: Recording, final: Recording) -> None:
    n = len(part)
    assert n <= len(final)
    assert part.t.tobytes() == final.t[:n].tobytes() and part.force_n.tobytes() == final.force_n[:n].tobytes()
    assert {k: v for k, v in part.metadata.items() if k != "partial_last_line"} == final.metadata


def _blocks(seed: int, n_blocks: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    t0 = 0.0
    for _ in range(n_blocks):
        n = int(rng.integers(1, 40))
        t = t0 + np.arange(n) / 1000.0
        t0 = float(t[-1]) + 0.001
        yield t, rng.normal(20.0, 5.0, n)


class TornStream:
    """A text stream that passes the file all it was given but a random tail, as a buffered writer
    does (which cuts where its buffer fills, mid-row), and the rest on ``flush``."""

    def __init__(self, path: Path, seed: int) -> None:
        self._f = open(path, "wb", buffering=0)  # noqa: SIM115 - closed in close()
        self._pending = b""
        self._rng = np.random.default_rng(seed)

    def write(self, text: str) -> int:
        data = self._pending + text.encode()
        keep = int(self._rng.integers(0, min(len(data), 90) + 1))
        self._f.write(data[:len(data) - keep])
        self._pending = data[len(data) - keep:]
        return len(text)

    def flush(self) -> None:
        self._f.write(self._pending)
        self._pending = b""

    def close(self) -> None:
        self.flush()
        self._f.close()


@pytest.mark.parametrize("scanner", ["compiled", "fallback"])
def test_reads_interleaved_with_a_writer_are_prefixes(tmp_path: Path, scanner: str) -> None:
    # A writer thread appends blocks through RecordingWriter to a stream that leaves the file cut at
    # a random byte; after each block the test reads the file. The two take turns (no sleeps, no
    # timing): every read succeeds, once two whole rows are there, and is a prefix of the end.
    if scanner == "compiled" and COMPILED is None:
        pytest.skip("the compiled CSV scanner is not built")
    p = tmp_path / "live.csv"
    turn, back = threading.Semaphore(0), threading.Semaphore(0)
    failure: list[BaseException] = []
    n_blocks = 150

    def writer() -> None:
        stream = TornStream(p, 5)
        try:
            meta = {"device": "sim", "detector_config": json.dumps(DetectorConfig().to_dict())}
            w = RecordingWriter(cast(TextIO, stream), meta, ("raw", "flags"), exact=True)
            for t, f in _blocks(5, n_blocks):
                w.append(t, f, {"raw": np.arange(t.size), "flags": np.zeros(t.size, dtype=int)})
                turn.release()  # the reader's turn
                back.acquire()
        except BaseException as exc:  # pragma: no cover - reported below
            failure.append(exc)
            turn.release()
        finally:
            stream.close()

    saved = csvtable.SCANNER
    csvtable.SCANNER = COMPILED if scanner == "compiled" else None
    thread = threading.Thread(target=writer)
    thread.start()
    reads: list[Recording] = []
    try:
        for _ in range(n_blocks):
            turn.acquire()
            if failure:
                break
            try:
                reads.append(read_recording(p))
            except RecordingError as exc:
                assert not reads and "row" in str(exc), exc  # only before two whole rows are there
            back.release()
        final_thread_ok = not failure
    finally:
        for _ in range(n_blocks):
            back.release()
        thread.join()
        csvtable.SCANNER = saved
    assert final_thread_ok and not failure, failure
    final = read_recording(p)
    assert "partial_last_line" not in final.metadata and final.t.size > 1000
    assert len(reads) >= n_blocks - 2
    for part in reads:
        _same_prefix(part, final)
    assert sum("partial_last_line" in r.metadata for r in reads) > n_blocks // 2  # torn rows were met


LIVE_WRITER = r"""
import sys
import numpy as np
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.outputs.recorder import LiveRecorder

rec = LiveRecorder(sys.argv[1], DetectorConfig(sample_rate=1000.0), overwrite=True, source="test")
rec.on_connect(DeviceInfo(name="sim", rate=1000.0))
rng = np.random.default_rng(1)
for k in range(int(sys.argv[2])):
    t = (k * 10 + np.arange(10)) / 1000.0
    f = rng.normal(20.0, 5.0, 10)
    rec.on_samples(Samples(t=t, force=f, raw=np.arange(10), flags=np.zeros(10, dtype=np.int64),
                           device_t_last=float(t[-1])), 0.0, 0)
rec.close()
"""


def test_reads_while_a_live_recorder_appends_in_another_process(tmp_path: Path) -> None:
    # The real thing, free-running: LiveRecorder in a subprocess writes 120 000 rows while the test
    # reads the file over and over (its io buffers pass on whole blocks, but the kernel may show a
    # write half done, and the torn rows are what the tests above make sure of). Once two whole rows
    # are there, every read succeeds and is a prefix of the end.
    p = tmp_path / "live.csv"
    proc = subprocess.Popen([sys.executable, "-c", LIVE_WRITER, str(p), "12000"], stderr=subprocess.PIPE,
                            text=True)
    reads: list[Recording] = []
    try:
        while proc.poll() is None:
            try:
                reads.append(read_recording(p))
            except RecordingError as exc:
                assert not reads, f"a read failed after an earlier one succeeded: {exc}"
    finally:
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    final = read_recording(p)
    assert len(final) == 120_000 and "partial_last_line" not in final.metadata
    for part in reads:
        _same_prefix(part, final)
