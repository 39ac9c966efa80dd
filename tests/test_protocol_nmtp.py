"""nmtp: CRC and COBS against published vectors, round trips, streaming, resynchronisation, helpers."""

from __future__ import annotations

import binascii
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmt_pressure.protocol import (
    COUNTS_MAX,
    COUNTS_MIN,
    MAX_FRAME,
    MAX_TEXT,
    Banner,
    ClockUnwrapper,
    CobsError,
    CommandDecoder,
    CommandFrame,
    NmtpDecoder,
    Response,
    SampleBlock,
    SequenceTracker,
    cobs_decode,
    cobs_encode,
    crc16_ccitt_false,
    ecc,
    encode_banner,
    encode_command,
    encode_response,
    encode_samples,
    parse_kv,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Property tests whose failure would be a 1-in-65536 CRC coincidence run the same examples every
#: time, so they cannot flicker.
FIXED = settings(max_examples=40, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])


def feed_bytewise(dec: NmtpDecoder | CommandDecoder, data: bytes) -> list[object]:
    out: list[object] = []
    for i in range(len(data)):
        out += dec.feed(data[i:i + 1])
    return out


def session(n_blocks: int = 50, seed: int = 0) -> tuple[list[bytes], list[object]]:
    """Encoded frames of a short session (banner, replies, sample blocks) and the frames they carry."""
    rng = random.Random(seed)
    wire: list[bytes] = [encode_banner("nmt-cell firmware_sim 0.1 nmtp/1")]
    frames: list[object] = [Banner("nmt-cell firmware_sim 0.1 nmtp/1")]
    seq, t0 = 65_500, 4_294_000_000  # both wrap during the session
    for i in range(n_blocks):
        if i % 17 == 5:
            text = f"status streaming=1 rate=1000 seq={seq} uptime_us={t0} overload=0 temp_c=23.5"
            wire.append(encode_response(text))
            frames.append(Response(text))
        counts = tuple(rng.randint(-3000, 400_000) if i % 7 else rng.choice((0, 1, -1, 256, -256))
                       for _ in range(10))
        flags = 1 if i % 11 == 3 else 0
        wire.append(encode_samples(seq, t0, 1000, counts, flags))
        frames.append(SampleBlock(seq & 0xFFFF, t0 & 0xFFFFFFFF, 1000, counts, flags))
        seq += 10
        t0 += 10_000
    return wire, frames


# --------------------------------------------------------------------------------------------------
# CRC-16/CCITT-FALSE
# --------------------------------------------------------------------------------------------------
def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogue's check value
    assert crc16_ccitt_false(b"") == 0xFFFF  # init, no final XOR
    assert crc16_ccitt_false(b"A") == 0xB915
    assert crc16_ccitt_false(b"456789", crc16_ccitt_false(b"123")) == 0x29B1  # continues


@FAST
@given(st.binary(max_size=300))
def test_crc_table_equals_binascii(data: bytes) -> None:
    """The decoders use binascii.crc_hqx; it must be the very same CRC as our table."""
    assert crc16_ccitt_false(data) == binascii.crc_hqx(data, 0xFFFF)


# --------------------------------------------------------------------------------------------------
# COBS, vectors from the Wikipedia article "Consistent Overhead Byte Stuffing" (encoded form shown
# there with its trailing 0x00 delimiter, which cobs_encode leaves to the caller)
# --------------------------------------------------------------------------------------------------
_R254 = bytes(range(1, 255))  # 01 02 .. FE
WIKIPEDIA_VECTORS = [
    (b"\x00", "01 01 00"),
    (b"\x00\x00", "01 01 01 00"),
    (b"\x00\x11\x00", "01 02 11 01 00"),
    (b"\x11\x22\x00\x33", "03 11 22 02 33 00"),
    (b"\x11\x22\x33\x44", "05 11 22 33 44 00"),
    (b"\x11\x00\x00\x00", "02 11 01 01 01 00"),
    (_R254, "ff" + _R254.hex() + "00"),
    (b"\x00" + _R254, "01 ff" + _R254.hex() + "00"),
    (_R254 + b"\xff", "ff" + _R254.hex() + "02 ff 00"),
    (bytes(range(2, 256)) + b"\x00", "ff" + bytes(range(2, 256)).hex() + "01 01 00"),
    (bytes(range(3, 256)) + b"\x00\x01", "fe" + bytes(range(3, 256)).hex() + "02 01 00"),
]


@pytest.mark.parametrize(("raw", "wire"), WIKIPEDIA_VECTORS)
def test_cobs_wikipedia_vectors(raw: bytes, wire: str) -> None:
    expected = bytes.fromhex(wire)
    assert cobs_encode(raw) + b"\x00" == expected
    assert cobs_decode(expected[:-1]) == raw


def test_cobs_empty() -> None:
    assert cobs_encode(b"") == b"\x01"
    assert cobs_decode(b"\x01") == b""


@FAST
@given(st.binary(max_size=1200))
def test_cobs_round_trip_and_no_zero(data: bytes) -> None:
    enc = cobs_encode(data)
    assert 0 not in enc
    assert len(enc) <= len(data) + 1 + len(data) // 254
    assert cobs_decode(enc) == data


@pytest.mark.parametrize("bad", [b"\x00", b"\x05\x01\x02", b"\x03\x01\x00", b"\x02\x01\x00\x01"])
def test_cobs_decode_rejects_invalid(bad: bytes) -> None:
    with pytest.raises(CobsError):
        cobs_decode(bad)


# --------------------------------------------------------------------------------------------------
# Encoders
# --------------------------------------------------------------------------------------------------
#: The worked example of docs/PROTOCOL.md: seq 1000, t0 2.5 s, 1 kHz, counts 1200 -35 8000, marker.
DOC_EXAMPLE_DECODED = "01 e8 03 a0 25 26 00 e8 03 01 03 b0 04 00 dd ff ff 40 1f 00 4a 9d 6c 2d"
DOC_EXAMPLE_WIRE = "07 01 e8 03 a0 25 26 07 e8 03 01 03 b0 04 06 dd ff ff 40 1f 05 4a 9d 6c 2d 00"


def test_documented_example_frame() -> None:
    """docs/PROTOCOL.md shows this frame byte by byte; the encoder must agree with the document."""
    wire = encode_samples(1000, 2_500_000, 1000, [1200, -35, 8000], flags=0x01)
    assert wire.hex(" ") == DOC_EXAMPLE_WIRE
    assert cobs_decode(wire[:-1]).hex(" ") == DOC_EXAMPLE_DECODED
    assert crc16_ccitt_false(bytes.fromhex(DOC_EXAMPLE_DECODED)[:-4]) == 0x9D4A
    assert ecc.parity(bytes.fromhex(DOC_EXAMPLE_DECODED)[:-2]).hex(" ") == "6c 2d"
    assert NmtpDecoder().feed(wire) == [SampleBlock(1000, 2_500_000, 1000, (1200, -35, 8000), 0x01)]
    assert encode_command("ID").hex(" ") == "08 10 49 44 eb 30 eb 2d 00"


def test_block_of_ten_is_47_bytes() -> None:
    """1 kHz in blocks of 10: 47 bytes per block on the wire (the figure PROTOCOL.md builds on)."""
    for counts in ([123_456] * 10, [0] * 10, [-1, 1] * 5):
        assert len(encode_samples(0, 0, 1000, counts)) == 47


@FAST
@given(seq=st.integers(0, 200_000), t0=st.integers(0, 2**33), dt=st.integers(0, 65535),
       counts=st.lists(st.integers(COUNTS_MIN, COUNTS_MAX), min_size=1, max_size=255),
       flags=st.integers(0, 255))
def test_samples_round_trip(seq: int, t0: int, dt: int, counts: list[int], flags: int) -> None:
    wire = encode_samples(seq, t0, dt, counts, flags)
    assert wire.endswith(b"\x00") and wire.count(0) == 1
    assert len(wire) <= MAX_FRAME + 1
    dec = NmtpDecoder()
    assert dec.feed(wire) == [SampleBlock(seq % 65536, t0 % 2**32, dt, tuple(counts), flags)]
    assert dec.stats.frames == 1 and dec.stats.garbage_bytes == 0


@FAST
@given(st.text(max_size=300))
def test_text_round_trip(text: str) -> None:
    raw = text.encode("utf-8")
    if len(raw) > MAX_TEXT:
        return
    dec = NmtpDecoder()
    got = dec.feed(encode_response(text) + encode_banner(text) + encode_command(text))
    assert got == [Response(text), Banner(text)]
    assert dec.stats.extra == {"commands": 1}


def test_encoder_validation() -> None:
    with pytest.raises(ValueError, match="24 bits"):
        encode_samples(0, 0, 1000, [COUNTS_MAX + 1])
    with pytest.raises(ValueError, match="24 bits"):
        encode_samples(0, 0, 1000, [0, COUNTS_MIN - 1])
    with pytest.raises(ValueError, match="1 to 255"):
        encode_samples(0, 0, 1000, [])
    with pytest.raises(ValueError, match="1 to 255"):
        encode_samples(0, 0, 1000, [0] * 256)
    with pytest.raises(ValueError, match="16 bits"):
        encode_samples(0, 0, 100_000, [0])  # 10 Hz does not fit: one sample per block, dt 0
    with pytest.raises(ValueError, match="8 bits"):
        encode_samples(0, 0, 1000, [0], flags=256)
    with pytest.raises(ValueError, match="longer"):
        encode_response("x" * (MAX_TEXT + 1))
    with pytest.raises(TypeError):
        encode_command(b"ID")  # type: ignore[arg-type]
    # seq and t0 wrap instead of failing: they are counters.
    assert encode_samples(65536 + 5, 2**32 + 7, 1000, [1]) == encode_samples(5, 7, 1000, [1])
    assert encode_samples(-1, -1, 0, [1]) == encode_samples(65535, 2**32 - 1, 0, [1])


def test_numpy_integers_are_accepted() -> None:
    np = pytest.importorskip("numpy")
    counts = np.array([1, -2, 3], dtype=np.int32)
    assert encode_samples(np.int64(1), 0, 1000, counts) == encode_samples(1, 0, 1000, [1, -2, 3])


# --------------------------------------------------------------------------------------------------
# Streaming decoder
# --------------------------------------------------------------------------------------------------
def test_session_round_trip_in_one_feed_and_bytewise() -> None:
    wire, frames = session(80)
    data = b"".join(wire)
    one = NmtpDecoder()
    assert one.feed(data) == frames
    byte = NmtpDecoder()
    assert feed_bytewise(byte, data) == frames
    assert one.stats == byte.stats
    assert one.stats.frames == len(frames)


@FAST
@given(st.data())
def test_any_split_gives_the_same_frames_and_counts(data: st.DataObject) -> None:
    wire, _ = session(12, seed=data.draw(st.integers(0, 100)))
    junk = [data.draw(st.binary(max_size=40)) for _ in wire]
    stream = b"".join(j + w for j, w in zip(junk, wire, strict=True))
    whole = NmtpDecoder(max_frame=200)
    expected = whole.feed(stream)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=30)))
    split = NmtpDecoder(max_frame=200)
    got: list[object] = []
    for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        got += split.feed(stream[a:b])
    assert got == expected
    assert split.stats == whole.stats


@FAST
@given(chunks=st.lists(st.binary(max_size=700), max_size=20))
def test_random_bytes_never_raise_and_memory_stays_bounded(chunks: list[bytes]) -> None:
    for dec in (NmtpDecoder(), CommandDecoder()):
        for chunk in chunks:
            dec.feed(chunk)
            assert dec.buffered <= MAX_FRAME
        st_ = dec.stats
        assert st_.frames + st_.crc_errors + st_.framing_errors + st_.overflows >= 0


def test_overlong_run_is_dropped_then_decoding_resumes() -> None:
    dec = NmtpDecoder()
    block = encode_samples(7, 0, 1000, [1, 2, 3])
    rng = random.Random(1)
    junk = bytes(rng.randrange(1, 256) for _ in range(10_000))
    got = []
    for i in range(0, len(junk), 333):  # arrives in pieces, as from a port
        got += dec.feed(junk[i:i + 333])
        assert dec.buffered <= MAX_FRAME
    got += dec.feed(b"\x00" + block)
    assert got == [SampleBlock(7, 0, 1000, (1, 2, 3), 0)]
    assert dec.stats.overflows == 1
    assert dec.stats.garbage_bytes == len(junk)


def _raw_frame(body: bytes) -> bytes:
    """A frame around any ``type | payload``, valid CRC and check bytes (for malformed payloads)."""
    crc = crc16_ccitt_false(body)
    framed = body + bytes((crc & 0xFF, crc >> 8))
    return cobs_encode(framed + ecc.parity(framed)) + b"\x00"


def test_short_and_malformed_frames_are_framing_errors() -> None:
    dec = NmtpDecoder()
    samples_wrong_n = bytearray(cobs_decode(encode_samples(0, 0, 1000, [1, 2])[:-1]))
    samples_wrong_n[10] = 3  # says 3 counts, carries 2
    bad_len = _raw_frame(bytes(samples_wrong_n[:-4]))
    unknown = _raw_frame(b"\x7f")  # type 0x7F with a valid CRC
    assert dec.feed(b"\x02\x01\x00" + bad_len + unknown + b"\x05\x01\x00") == []
    assert dec.stats.framing_errors == 4  # too short, wrong n, unknown type, broken COBS
    assert dec.stats.crc_errors == 0
    assert dec.stats.frames == 0


def _corrupt_session(seed: int, rate: float, keep_delimiters: bool) -> tuple[
        list[object], bytes, set[int]]:
    """A session with bytes XOR-ed at random, and the frames (indices) the damage touched."""
    wire, frames = session(150, seed=seed)
    rng = random.Random(seed)
    out = bytearray()
    touched: set[int] = set()
    for i, w in enumerate(wire):
        chunk = bytearray(w)
        hit_body = hit_delim = False
        for k in range(len(chunk)):
            if k == len(chunk) - 1 and keep_delimiters:
                continue
            if rng.random() < rate:
                chunk[k] ^= rng.randrange(1, 256)
                hit_delim |= k == len(chunk) - 1
                hit_body |= k < len(chunk) - 1
        if hit_body or hit_delim:
            touched.add(i)
        if hit_delim:
            touched.add(i + 1)  # merged with the next frame
        out += chunk
    return frames, bytes(out), touched


def _survivors_ok(frames: list[object], got: list[object], touched: set[int]) -> None:
    """Every untouched frame arrives, in order; a touched one arrives only exactly as sent."""
    it = iter(enumerate(frames))
    for g in got:
        for i, f in it:
            if f == g:
                break
            assert i in touched, f"untouched frame {i} lost"
        else:
            raise AssertionError(f"delivered a frame that was never sent: {g!r}")
    for i, _ in it:
        assert i in touched, f"untouched frame {i} lost"


@FIXED
@given(seed=st.integers(0, 10_000))
def test_flipped_bytes_never_pass_and_are_counted(seed: int) -> None:
    """0.3 % of the bytes flipped (frames' delimiters intact): the untouched frames come through,
    most touched ones are repaired exactly, nothing corrupted passes, and every frame lost is
    counted as an error."""
    frames, data, touched = _corrupt_session(seed, 0.003, keep_delimiters=True)
    dec = NmtpDecoder()
    got = dec.feed(data)
    _survivors_ok(frames, got, touched)
    lost = len(frames) - len(got)
    assert dec.stats.crc_errors + dec.stats.framing_errors >= lost


def test_single_byte_damage_is_mostly_repaired() -> None:
    """Over many frames at 0.3 % flipped bytes, far more survive than the one in eight a CRC alone
    would lose: the check bytes repair a single bad data byte."""
    lost = total = 0
    for seed in range(30):
        frames, data, touched = _corrupt_session(seed, 0.003, keep_delimiters=True)
        got = NmtpDecoder().feed(data)
        _survivors_ok(frames, got, touched)
        lost += len(frames) - len(got)
        total += len(frames)
    assert lost / total < 0.03


@FIXED
@given(seed=st.integers(0, 10_000))
def test_flipped_bytes_anywhere_lose_only_touched_frames(seed: int) -> None:
    """Flips may hit delimiters too: two frames then merge and are lost; nothing else is."""
    frames, data, touched = _corrupt_session(seed, 0.003, keep_delimiters=False)
    dec = NmtpDecoder()
    got = dec.feed(data)
    _survivors_ok(frames, got, touched)
    if len(got) < len(frames):
        assert dec.stats.crc_errors + dec.stats.framing_errors >= 1


@pytest.mark.parametrize("wire", [encode_samples(12345, 987654, 1000, list(range(-5, 5))),
                                  encode_response("ok cal scale=2351.77")])
def test_every_single_byte_error_is_repaired_or_caught(wire: bytes) -> None:
    """Each byte of a frame replaced by each other value: delivered only exactly as sent (repaired),
    otherwise dropped and counted. A damaged COBS code byte or a new 0x00 cannot be repaired."""
    original = NmtpDecoder().feed(wire)
    repaired = 0
    for pos in range(len(wire) - 1):
        for x in range(1, 256):
            bad = bytearray(wire)
            bad[pos] ^= x
            dec = NmtpDecoder()
            got = dec.feed(bytes(bad))
            if got:
                assert got == original, (pos, x)
                # repaired, or only a check byte was hit (the CRC holds, nothing to repair)
                repaired += dec.stats.extra.get("corrected", 0)
            else:
                assert dec.stats.crc_errors + dec.stats.framing_errors >= 1, (pos, x)
    assert repaired > 0.6 * (len(wire) - 1) * 255  # this frame is full of zeros, so of COBS code bytes


@FIXED
@given(st.data())
def test_garbage_bursts_lose_only_the_frames_they_touch(data: st.DataObject) -> None:
    wire, frames = session(40, seed=data.draw(st.integers(0, 1000)))
    stream = bytearray()
    expected = []
    for w, f in zip(wire, frames, strict=True):
        burst = data.draw(st.binary(max_size=60)) if data.draw(st.booleans()) else b""
        stream += burst + w
        if not burst or burst.endswith(b"\x00"):
            expected.append(f)  # a burst ending in 0x00 is a frame of its own; otherwise it joins this one
    dec = NmtpDecoder()
    assert dec.feed(bytes(stream)) == expected
    lost = len(frames) - len(expected)
    assert dec.stats.crc_errors + dec.stats.framing_errors + dec.stats.overflows >= lost


def test_joining_mid_stream_resynchronises_at_the_next_delimiter() -> None:
    wire, frames = session(20)
    data = b"".join(wire)
    for cut in range(1, 90):
        dec = NmtpDecoder()
        got = dec.feed(data[cut:])
        first = next(i for i in range(len(wire)) if sum(map(len, wire[:i])) >= cut)
        assert got == frames[first:]


# --------------------------------------------------------------------------------------------------
# Device side: commands
# --------------------------------------------------------------------------------------------------
def test_command_frames_and_text_lines() -> None:
    assert encode_command("STOP")[0] == 0x0A  # a COBS code byte that is a line feed
    assert encode_command("RATE 80")[0] == 0x0D  # ... or a carriage return
    stream = (b"ID\r\n" + encode_command("STOP") + b"RATE 80\n" + encode_command("RATE 80")
              + b"TARE\r" + b"\r\n\r\n" + encode_command("CAL 9.81") + b"ab\x01\rMARK\n"
              + encode_response("ok") + encode_command("START"))
    expected = [CommandFrame(t) for t in ("ID", "STOP", "RATE 80", "RATE 80", "TARE", "CAL 9.81",
                                          "MARK", "START")]
    dec = CommandDecoder()
    assert dec.feed(stream) == expected
    assert dec.stats.extra == {"ignored": 1}
    byte = CommandDecoder()
    assert feed_bytewise(byte, stream) == expected
    assert byte.stats == dec.stats


@FAST
@given(st.data())
def test_command_decoder_split_invariance(data: st.DataObject) -> None:
    words = data.draw(st.lists(st.sampled_from(["ID", "TARE", "STATUS", "RATE 1000", "CAL 9.81", "MARK"]),
                               min_size=1, max_size=12))
    parts = []
    for w in words:
        style = data.draw(st.sampled_from(["frame", "lf", "crlf", "cr"]))
        parts.append(encode_command(w) if style == "frame" else
                     w.encode() + {"lf": b"\n", "crlf": b"\r\n", "cr": b"\r"}[style])
    stream = b"".join(parts)
    whole = CommandDecoder()
    assert whole.feed(stream) == [CommandFrame(w) for w in words]
    assert feed_bytewise(CommandDecoder(), stream) == [CommandFrame(w) for w in words]


# --------------------------------------------------------------------------------------------------
# Sequence numbers and the device clock
# --------------------------------------------------------------------------------------------------
def blk(seq: int, t0: int, n: int = 10, dt: int = 1000) -> SampleBlock:
    return SampleBlock(seq & 0xFFFF, t0 & 0xFFFFFFFF, dt, (0,) * n)


def test_sequence_tracker_counts_gaps_across_the_wrap() -> None:
    tr = SequenceTracker()
    assert tr.update(blk(65_500, 0)) == 0
    assert tr.update(blk(65_510, 10_000)) == 0
    assert tr.update(blk(65_520, 20_000)) == 0
    assert tr.update(blk(65_530, 30_000)) == 0
    assert tr.update(blk(4, 40_000)) == 0  # 65530 + 10 wraps to 4
    assert tr.update(blk(34, 70_000)) == 20  # two blocks lost
    assert tr.update(blk(994, 1_030_000)) == 950
    assert tr.dropped == 970
    assert tr.samples == 70
    tr = SequenceTracker()  # a gap that spans the wrap
    tr.update(blk(65_000, 0))
    assert tr.update(blk(500, 10_000 + 1026 * 1000)) == 1026  # 65010 .. 65535, 0 .. 499 lost


def test_sequence_tracker_counts_whole_wraps_from_the_clock() -> None:
    tr = SequenceTracker()
    tr.update(blk(100, 0, dt=500))  # 2 kHz: 65536 samples are 32.8 s
    lost = 3 * 65_536 + 250
    t0 = (110 + lost) * 500 - 100 * 500
    assert tr.update(blk(110 + lost, t0, dt=500)) == lost


def test_sequence_tracker_restart_and_duplicate() -> None:
    tr = SequenceTracker()
    tr.update(blk(40_000, 900_000_000))
    assert tr.update(blk(40_010, 900_010_000)) == 0
    assert tr.update(blk(40_010, 900_010_000)) == 0  # the same block again
    assert tr.update(blk(0, 1_200_000)) == 0  # the device restarted: seq and clock start over
    assert tr.restarts == 2
    assert tr.update(blk(20, 1_220_000)) == 10
    assert tr.dropped == 10


def test_sequence_tracker_one_sample_blocks_at_10_hz() -> None:
    tr = SequenceTracker()
    t = 5_000_000
    for i in range(5):
        assert tr.update(blk(i, t + i * 100_000, n=1, dt=0)) == 0
    assert tr.update(blk(9, t + 9 * 100_000, n=1, dt=0)) == 4
    tr.reset()
    assert tr.update(blk(500, 0, n=1, dt=0)) == 0  # a new connection: no gap against the old one
    assert tr.dropped == 4


def test_clock_unwrapper() -> None:
    cu = ClockUnwrapper()
    assert cu.unwrap(2**32 - 2_000_000) == pytest.approx((2**32 - 2_000_000) / 1e6)
    assert cu.unwrap(2**32 - 1) == pytest.approx((2**32 - 1) / 1e6)
    assert cu.unwrap(0) == pytest.approx(2**32 / 1e6)  # wrapped, keeps counting
    assert cu.unwrap(1_000_000) == pytest.approx(2**32 / 1e6 + 1.0)
    assert cu.unwrap(999_000) == pytest.approx(2**32 / 1e6 + 0.999)  # a small step back stays small
    cu.reset()
    assert cu.unwrap(5) == pytest.approx(5e-6)


@FAST
@given(start=st.integers(0, 2**32 - 1), steps=st.lists(st.integers(0, 2**31 - 1), max_size=50))
def test_clock_unwrapper_is_monotonic_over_many_wraps(start: int, steps: list[int]) -> None:
    cu = ClockUnwrapper()
    true = start
    assert cu.unwrap(start) * 1e6 == pytest.approx(true, abs=1)
    for s in steps:
        true += s
        assert cu.unwrap(true % 2**32) * 1e6 == pytest.approx(true, abs=1)


# --------------------------------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "kind", "kv"), [
    ("id name=nmt-cell fw=0.1.0 serial=SIM-0001 adc=hx711-sim rate=1000 scale=2351.7 offset=-8123",
     "id", {"name": "nmt-cell", "fw": "0.1.0", "serial": "SIM-0001", "adc": "hx711-sim", "rate": "1000",
            "scale": "2351.7", "offset": "-8123"}),
    ("ok tare offset=-8123", "ok", {"tare": "", "offset": "-8123"}),
    ("ok cal scale=2351.7", "ok", {"cal": "", "scale": "2351.7"}),
    ("ok rate=250", "ok", {"rate": "250"}),
    ("ok streaming=1", "ok", {"streaming": "1"}),
    ("status streaming=1 rate=1000 seq=4242 uptime_us=123456789 overload=0 temp_c=23.5", "status",
     {"streaming": "1", "rate": "1000", "seq": "4242", "uptime_us": "123456789", "overload": "0",
      "temp_c": "23.5"}),
    ("ok mark", "ok", {"mark": ""}),
    ("err rate unsupported", "err", {"rate": "", "unsupported": ""}),
    ("err unknown command", "err", {"unknown": "", "command": ""}),
    ('id name="cell A" fw=1', "id", {"name": "cell A", "fw": "1"}),
    ('id name="unbalanced', "id", {"name": '"unbalanced'}),
    ("", "", {}),
])
def test_parse_kv(text: str, kind: str, kv: dict[str, str]) -> None:
    assert parse_kv(text) == (kind, kv)
