"""``--format auto``: nmtp or ASCII from the first bytes, with nothing lost to the decision."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmt_pressure.protocol import (
    AsciiDecoder,
    AutoDecoder,
    Banner,
    NmtpDecoder,
    Reading,
    Response,
    SampleBlock,
    encode_banner,
    encode_response,
    encode_samples,
    make_decoder,
)
from nmt_pressure.protocol.auto import PROBE_BYTES

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def nmtp_stream(blocks: int = 30, seed: int = 0, banner: bool = True) -> bytes:
    rng = random.Random(seed)
    out = bytearray(encode_banner("nmt-cell firmware_sim 0.1 nmtp/1") if banner else b"")
    out += encode_response("ok streaming=1")
    for i in range(blocks):
        out += encode_samples(i * 10, i * 10_000, 1000, [rng.randint(-500, 500_000) for _ in range(10)])
    return bytes(out)


ASCII_STREAMS = {
    "hx711_full_example": b"HX711 Demo\r\nInitializing the scale\r\nReadings:\r\n"
                          b"one reading:\t0.0\t| average:\t0.0\r\none reading:\t4.4\t| average:\t4.3\r\n",
    "olkal": b"\r\nStarting...\r\nStartup is complete\r\nLoad_cell output val: 0.12\r\n"
             b"Load_cell output val: 0.15\r\n",
    "openscale": b"\r\nSerial Load Cell Converter version 1.2\r\nBy SparkFun Electronics\r\n"
                 b"No remote sensor found\r\nMinimum time between reports: 163\r\n"
                 b"Press x to bring up settings\r\nReadings:\r\n1013,0.02,lbs,24.12,0,\r\n",
    "mark10": b"12.34 lbF\r\n12.36 lbF\r\n12.40 lbF\r\n",
    "imada_cr_only": b"+012.34N\r+012.36N\r+012.40N\r",
    "numbers_lf": b"12.5\n12.6\n12.7\n",
}


def feed_all(dec: AutoDecoder, data: bytes, step: int | None = None) -> list[object]:
    if step is None:
        return dec.feed(data)
    out: list[object] = []
    for i in range(0, len(data), step):
        out += dec.feed(data[i:i + step])
    return out


@pytest.mark.parametrize("step", [None, 1, 7])
def test_nmtp_with_boot_banner(step: int | None) -> None:
    data = nmtp_stream()
    dec = AutoDecoder()
    got = feed_all(dec, data, step)
    assert dec.decided == "nmtp" and dec.name == "auto"
    assert got == NmtpDecoder().feed(data)
    assert got[0] == Banner("nmt-cell firmware_sim 0.1 nmtp/1")
    assert got[1] == Response("ok streaming=1")
    assert dec.stats.frames == len(got)


@pytest.mark.parametrize("cut", [1, 5, 20, 44, 61, 100])
def test_nmtp_joined_mid_stream(cut: int) -> None:
    data = nmtp_stream(banner=False)[cut:]
    dec = AutoDecoder()
    got = feed_all(dec, data, 3)
    assert dec.decided == "nmtp"
    assert got == NmtpDecoder().feed(data)
    assert sum(isinstance(f, SampleBlock) for f in got) >= 28


@pytest.mark.parametrize("name", list(ASCII_STREAMS))
@pytest.mark.parametrize("step", [None, 1, 5])
def test_ascii_devices(name: str, step: int | None) -> None:
    data = ASCII_STREAMS[name]
    dec = AutoDecoder()
    got = feed_all(dec, data, step)
    assert dec.decided == "ascii", name
    assert got == AsciiDecoder().feed(data)  # nothing lost to the decision: banners included
    assert any(isinstance(f, Reading) for f in got)


def test_ascii_after_power_up_glitch() -> None:
    """An Arduino resetting as the port opens often emits a stray 0x00 or 0xFF first."""
    data = b"\x00\xff\xfe" + ASCII_STREAMS["mark10"]
    dec = AutoDecoder()
    got = dec.feed(data)
    assert dec.decided == "ascii"
    assert [f for f in got if isinstance(f, Reading)] == [Reading(12.34, "lbf"), Reading(12.36, "lbf"),
                                                           Reading(12.40, "lbf")]


def test_waits_for_a_second_line() -> None:
    dec = AutoDecoder()
    assert dec.feed(b"12.34 N\r\n") == []
    assert dec.decided is None
    assert dec.stats.frames == 0
    assert dec.feed(b"12.35 N\r\n") == [Reading(12.34, "N"), Reading(12.35, "N")]
    assert dec.decided == "ascii"
    assert dec.feed(b"12.36 N\r\n") == [Reading(12.36, "N")]
    assert dec.stats.frames == 3


def test_undecided_probe_falls_back_by_content() -> None:
    text = AutoDecoder()
    text.feed(b"x" * (PROBE_BYTES + 1))  # printable, but no line ends
    assert text.decided == "ascii"
    noise = AutoDecoder()
    rng = random.Random(3)
    noise.feed(bytes(rng.randrange(1, 256) for _ in range(PROBE_BYTES)))
    assert noise.decided == "nmtp"


def test_explicit_decision_and_reset() -> None:
    dec = AutoDecoder()
    dec.feed(b"12.5\r")
    assert dec.decide("ascii") == [Reading(12.5)]
    assert isinstance(dec.delegate, AsciiDecoder)
    dec.feed(b"12.")
    dec.reset()
    assert dec.feed(b"7\r") == [Reading(7.0)]  # the partial "12." was forgotten
    assert dec.decided == "ascii"
    with pytest.raises(ValueError):
        AutoDecoder().decide("binary")


@FAST
@given(chunks=st.lists(st.binary(max_size=300), max_size=12))
def test_random_bytes_never_raise_and_memory_stays_bounded(chunks: list[bytes]) -> None:
    dec = AutoDecoder()
    for chunk in chunks:
        dec.feed(chunk)
        if dec.decided is None:
            assert len(dec._held) < PROBE_BYTES
        else:
            assert dec.delegate is not None and dec.delegate.buffered <= 1024


@FAST
@given(seed=st.integers(0, 1000), cut=st.integers(0, 120), step=st.integers(1, 64))
def test_any_nmtp_join_point_and_split_decides_nmtp(seed: int, cut: int, step: int) -> None:
    data = nmtp_stream(blocks=12, seed=seed, banner=False)[cut:]
    dec = AutoDecoder()
    got = feed_all(dec, data, step)
    assert dec.decided == "nmtp"
    assert got == NmtpDecoder().feed(data)


def test_make_decoder() -> None:
    assert isinstance(make_decoder("auto"), AutoDecoder)
    assert isinstance(make_decoder("nmtp"), NmtpDecoder)
    assert isinstance(make_decoder("ASCII"), AsciiDecoder)
    for fmt in ("auto", "nmtp", "ascii"):
        dec = make_decoder(fmt)
        assert dec.name == fmt
        assert dec.feed(b"") == []
        assert dec.stats.frames == 0
    with pytest.raises(ValueError, match="auto, nmtp, ascii"):
        make_decoder("binary")
