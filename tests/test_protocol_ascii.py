"""ASCII decoder: verbatim lines of real devices and sketches, banners, line ends, bounds, noise.

Each device line below is what the named source prints or documents, with only the number filled in
where the source prints a variable. Sources:

* bogde/HX711, examples/HX711_full_example/HX711_full_example.ino (``Serial.print("one reading:\\t");
  …print(get_units(), 1); print("\\t| average:\\t"); println(get_units(10), 1)`` and its set-up lines);
  examples/HX711_basic_example/HX711_basic_example.ino (``"HX711 reading: "`` + raw count).
* olkal/HX711_ADC, examples/Read_1x_load_cell/Read_1x_load_cell.ino (``"Load_cell output val: "`` +
  float, and ``Starting...``, ``Startup is complete``, ``Tare complete``).
* sparkfun/HX711-Load-Cell-Amplifier, firmware/SparkFun_HX711_Example (``"Reading: "`` + value with one
  decimal + ``" lbs"``; many copies print ``" kg"``) and SparkFun_HX711_Calibration
  (``Reading: 0.0 lbs calibration_factor: -7050.00``, ``Zero factor: …``).
* sparkfun/OpenScale, firmware/OpenScale/OpenScale/OpenScale.ino loop(): ``[millis,]value,lbs|kg,
  [raw,][local temp,][remote temp or 0,]`` then CR LF; Menus.ino for the header and the menu.
* Mark-10 Series 4 User's Guide §9.1.4 "Example return strings": ``-18.78 lbF<CR><LF>``,
  ``4.285 N<CR><LF>``; Series 5 guide §9.8 (GCL2): responses end in CR LF, ``LIST`` prints
  ``V1.00;LBF;CUR;FLTC8;FLTP1;AOUT00;AOFF5;FULL;MIT;POL;B0``, errors are ``*10`` etc.
* Imada DS2/DST: reply to ``D``: sign, value, unit letter (N, K = kgf, O = lbf), mode (T/P) and
  judgement (L/O/H/E), CR: sktometometo/imada_forcegauge src/imada_forcegauge.cpp (DS2-500N,
  "+XX.XXKT0\\r", 10 bytes) and the DST-44A driver pattern ``(\\+|\\-)(\\d+\\.?\\d*)([OKN])([TP])([LOHE])``.
* Wagner FDX manual §D.1: ``- 23.02 lbf`` (tension; sign, space, value, unit); Force Ten FDV manual §J:
  ``-XXXXXX YY Peak <CR><LF>`` (value, units, "Peak" in peak mode).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmt_pressure.io.recording import unit_factor
from nmt_pressure.protocol import AsciiDecoder, Banner, Reading, parse_line
from nmt_pressure.protocol.ascii import MAX_LINE, UNIT_ALIASES

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: (line as sent, value, unit, t, source)
DEVICE_LINES = [
    # the brief's generic forms
    ("12.34", 12.34, "", None, "plain number"),
    ("-0.5", -0.5, "", None, "plain number"),
    ("+012.34", 12.34, "", None, "plain number, sign and leading zero"),
    ("0.123,12.34", 12.34, "", 0.123, "t,value"),
    ("0.123;12.34", 12.34, "", 0.123, "t;value"),
    ("0.123\t12.34", 12.34, "", 0.123, "t<TAB>value"),
    ("0.123 12.34", 12.34, "", 0.123, "t value"),
    ("0.123,-12.34 N", -12.34, "N", 0.123, "t,value unit"),
    ("12.34 N", 12.34, "N", None, "value unit"),
    ("12.34N", 12.34, "N", None, "value unit, no space"),
    ("-1.2 lbF", -1.2, "lbf", None, "value unit, mixed case"),
    ("0.85 kg", 0.85, "kg", None, "value unit"),
    ("3 KGF", 3.0, "kg", None, "kgf is kilogram-force"),
    ("250 g", 250.0, "g", None, "grams"),
    ("1.5lbs", 1.5, "lb", None, "lbs"),
    ("2 LB", 2.0, "lb", None, "lb"),
    ("1e3 n", 1000.0, "N", None, "exponent, lower-case n"),
    # Arduino HX711 sketches
    ("one reading:\t0.2\t| average:\t0.1", 0.2, "", None, "bogde/HX711 HX711_full_example"),
    ("one reading:\t-12.5\t| average:\t-12.4", -12.5, "", None, "bogde/HX711 HX711_full_example"),
    ("HX711 reading: 8355808", 8355808.0, "", None, "bogde/HX711 HX711_basic_example (raw)"),
    ("HX711 reading: -120345", -120345.0, "", None, "bogde/HX711 HX711_basic_example (raw)"),
    ("Load_cell output val: 123.45", 123.45, "", None, "olkal/HX711_ADC Read_1x_load_cell"),
    ("Load_cell output val: -0.27", -0.27, "", None, "olkal/HX711_ADC Read_1x_load_cell"),
    ("Reading: 12.3 kg", 12.3, "kg", None, "SparkFun_HX711_Example (kg variant)"),
    ("Reading: 12.3 lbs", 12.3, "lb", None, "sparkfun/HX711-Load-Cell-Amplifier SparkFun_HX711_Example"),
    ("Reading: -0.1 lbs", -0.1, "lb", None, "SparkFun_HX711_Example"),
    ("Reading: 0.0 lbs calibration_factor: -7050.00", 0.0, "lb", None, "SparkFun_HX711_Calibration"),
    # SparkFun OpenScale (firmware/OpenScale/OpenScale/OpenScale.ino, loop)
    ("1234,12.34,lbs,23.50,", 12.34, "lb", 1.234, "OpenScale: ms, value, unit, local temp"),
    ("51588,0.00,lbs,23.50,0,", 0.0, "lb", 51.588, "OpenScale defaults: timestamp, 2 decimals, both temps"),
    ("1234,5.6,kg,8355808,23.50,", 5.6, "kg", 1.234, "OpenScale with raw reading"),
    ("12.34,lbs,", 12.34, "lb", None, "OpenScale, timestamp off"),
    ("-0.03,kg,21.75,", -0.03, "kg", None, "OpenScale, timestamp off, local temp"),
    # Mark-10
    ("-18.78 lbF", -18.78, "lbf", None, "Mark-10 Series 4 guide 9.1.4 example return string"),
    ("4.285 N", 4.285, "N", None, "Mark-10 Series 4 guide 9.1.4 example return string"),
    ("12.34 lbF", 12.34, "lbf", None, "Mark-10 value, space, unit"),
    ("  12.34 N", 12.34, "N", None, "Mark-10, right-aligned"),
    ("12.34", 12.34, "", None, "Mark-10, data format 'numeric only'"),
    # Imada
    ("+012.34N", 12.34, "N", None, "Imada, value and unit"),
    ("12.34 N ", 12.34, "N", None, "Imada, trailing space"),
    ("+12.34NTO", 12.34, "N", None, "Imada DS2/DST reply to D: N, real time, judgement O"),
    ("+12.34KT0", 12.34, "kg", None, "Imada DS2 reply to D as quoted in imada_forcegauge (K = kgf)"),
    ("-1.234OPH", -1.234, "lbf", None, "Imada: O = lbf, peak, above high set point"),
    ("+500.0NT", 500.0, "N", None, "Imada without judgement"),
    # Wagner
    ("12.34 lbf", 12.34, "lbf", None, "Wagner FDIX"),
    ("- 23.02 lbf", -23.02, "lbf", None, "Wagner FDX manual D.1 (tension)"),
    ("-12.345 lbf Peak", -12.345, "lbf", None, "Wagner Force Ten FDV manual J (peak mode)"),
]

#: Lines that are not readings, verbatim from the same sources.
BANNER_LINES = [
    "HX711 Demo",  # bogde HX711_full_example
    "Initializing the scale",
    "Before setting up the scale:",
    "read: \t\t8355808",  # set-up diagnostics, printed once before the readings
    "read average: \t\t8355808",
    "get value: \t\t0",
    "get units: \t\t0.0",
    "After setting up the scale:",
    "Readings:",
    "HX711 was not found or not ready.",  # bogde HX711_basic_example
    "Starting...",  # olkal Read_1x_load_cell
    "Startup is complete",
    "Tare complete",
    "Timeout, check MCU>HX711 wiring and pin designations",
    "HX711 scale demo",  # SparkFun_HX711_Example
    "HX711 calibration sketch",  # SparkFun_HX711_Calibration
    "Remove all weight from scale",
    "After readings begin, place known weight on scale",
    "Press + or a to increase calibration factor",
    "Zero factor: 8355808",
    "Serial Load Cell Converter version 1.2",  # OpenScale Menus.ino displaySystemHeader
    "By SparkFun Electronics",
    "No remote sensor found",
    "Minimum time between reports: 163",  # OpenScale setup()
    "Press x to bring up settings",
    "System Configuration",  # OpenScale menu
    "1) Tare scale to zero [8355808]",
    "2) Calibrate scale [-7050]",
    "3) Timestamp [On]",
    "4) Set report rate [200]",
    "5) Set baud rate [9600 bps]",
    "6) Change units of measure [lbs]",
    "x) Exit",
    ">",
    "Time: 200ms",
    "Going to 9600bps",
    "Number of readings: 4",
    "V1.00;LBF;CUR;FLTC8;FLTP1;AOUT00;AOFF5;FULL;MIT;POL;B0",  # Mark-10 LIST
    "*10",  # Mark-10 error code: illegal command
    "HELP",  # Wagner FDV overload
    "t_s,force_n",  # a CSV header
    "# nmt_pressure recording",
    "1,2,3",  # three bare numbers: not a format we know
    "nan",
    "inf",
    "1_000",
    "12.34 ozF",  # a unit the calibration stage cannot convert
]


@pytest.mark.parametrize(("line", "value", "unit", "t", "source"), DEVICE_LINES,
                         ids=[f"{i}:{r[0]!r}" for i, r in enumerate(DEVICE_LINES)])
def test_device_line(line: str, value: float, unit: str, t: float | None, source: str) -> None:
    for end in (b"\r\n", b"\n", b"\r"):
        dec = AsciiDecoder()
        got = dec.feed(line.encode() + end)
        assert len(got) == 1, (source, got)
        r = got[0]
        assert isinstance(r, Reading), (source, r)
        assert r.value == pytest.approx(value), source
        assert r.unit == unit, source
        if t is None:
            assert r.t is None, source
        else:
            assert r.t == pytest.approx(t), source
    assert parse_line(line) == got[0]


@pytest.mark.parametrize("line", BANNER_LINES)
def test_banner_line(line: str) -> None:
    dec = AsciiDecoder()
    assert dec.feed(line.encode() + b"\r\n") == [Banner(line.strip())]
    assert parse_line(line) is None
    assert dec.stats.extra["banners"] == 1


def test_units_are_ones_the_calibration_stage_knows() -> None:
    for alias, unit in UNIT_ALIASES.items():
        assert unit_factor(unit)[0] == unit, alias
        if alias != "gf":  # recording.py does not know "gf"; the decoder hands on "g"
            assert unit_factor(alias)[0] == unit


def test_openscale_boot_then_readings() -> None:
    """An OpenScale powering up (Menus.ino header, setup(), loop()), CR LF line ends."""
    boot = (b"\r\nSerial Load Cell Converter version 1.2\r\nBy SparkFun Electronics\r\n"
            b"No remote sensor found\r\nMinimum time between reports: 163\r\n"
            b"Press x to bring up settings\r\nReadings:\r\n"
            b"1013,0.02,lbs,24.12,0,\r\n1216,0.03,lbs,24.12,0,\r\n1419,12.75,lbs,24.18,0,\r\n")
    got = AsciiDecoder().feed(boot)
    assert [f for f in got if isinstance(f, Banner)] == [
        Banner("Serial Load Cell Converter version 1.2"), Banner("By SparkFun Electronics"),
        Banner("No remote sensor found"), Banner("Minimum time between reports: 163"),
        Banner("Press x to bring up settings"), Banner("Readings:")]
    assert [f for f in got if isinstance(f, Reading)] == [
        Reading(0.02, "lb", 1.013), Reading(0.03, "lb", 1.216), Reading(12.75, "lb", 1.419)]


def test_hx711_full_example_session() -> None:
    text = ("HX711 Demo\r\nInitializing the scale\r\nBefore setting up the scale:\r\nread: \t\t8388607\r\n"
            "read average: \t\t8388607\r\nget value: \t\t8388607\r\nget units: \t\t8388607.0\r\n"
            "After setting up the scale:\r\nread: \t\t-12\r\nread average: \t\t-15\r\nget value: \t\t3\r\n"
            "get units: \t\t0.0\r\nReadings:\r\none reading:\t0.0\t| average:\t0.0\r\n"
            "one reading:\t4.4\t| average:\t4.3\r\n")
    got = AsciiDecoder().feed(text.encode())
    assert [f for f in got if isinstance(f, Reading)] == [Reading(0.0), Reading(4.4)]
    assert len([f for f in got if isinstance(f, Banner)]) == 13


def test_line_ends_and_empty_lines() -> None:
    dec = AsciiDecoder()
    got = dec.feed(b"1\r\n2\n3\r4\n\r\r\n\n   \r\n5\n6")
    assert got == [Reading(v) for v in (1.0, 2.0, 3.0, 4.0, 5.0)]
    assert dec.feed(b"\n") == [Reading(6.0)]  # the last line waits for its end
    assert dec.stats.frames == 6


def test_overlong_line_is_dropped_and_counted() -> None:
    dec = AsciiDecoder()
    got = []
    for _ in range(10):
        got += dec.feed(b"7" * 200)
        assert dec.buffered <= MAX_LINE
    got += dec.feed(b"\r\n12.5 N\r\n")
    assert got == [Reading(12.5, "N")]
    assert dec.stats.overflows == 1
    assert dec.stats.garbage_bytes == 2000


def test_line_noise_is_garbage_not_banner() -> None:
    dec = AsciiDecoder()
    got = dec.feed(b"12.0\r\n\x00\xff\x13\x88garbage\r\n noise\x01\x02 inside\x1b[2J\r\n13.0\r\n"
                   b"\xb0\xb1 \xe2\x82\xac ok\r\n\xe2\x82\xac \xff ok\r\n")
    assert got == [Reading(12.0), Banner("garbage"), Reading(13.0), Banner("€ ok"), Banner("€ \ufffd ok")]
    assert dec.stats.extra["garbage_lines"] == 1
    assert dec.stats.garbage_bytes == 4 + len(b" noise\x01\x02 inside\x1b[2J") + 2


def test_power_up_junk_before_the_first_line_is_stripped() -> None:
    dec = AsciiDecoder()
    assert dec.feed(b"\x00\xff\xfe12.34 lbF\r\n") == [Reading(12.34, "lbf")]
    assert dec.stats.garbage_bytes == 3


@FAST
@given(st.data())
def test_any_split_gives_the_same_frames_and_counts(data: st.DataObject) -> None:
    lines = data.draw(st.lists(st.sampled_from([r[0] for r in DEVICE_LINES] + BANNER_LINES), max_size=30))
    ends = [data.draw(st.sampled_from([b"\r\n", b"\n", b"\r"])) for _ in lines]
    stream = b"".join(line.encode() + e for line, e in zip(lines, ends, strict=True))
    stream += data.draw(st.binary(max_size=40))
    whole = AsciiDecoder(max_line=60)
    expected = whole.feed(stream)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=20)))
    split = AsciiDecoder(max_line=60)
    got: list[object] = []
    for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        got += split.feed(stream[a:b])
    assert got == expected
    assert split.stats == whole.stats
    bytewise = AsciiDecoder(max_line=60)
    got = []
    for i in range(len(stream)):
        got += bytewise.feed(stream[i:i + 1])
    assert got == expected


@FAST
@given(chunks=st.lists(st.binary(max_size=700), max_size=20))
def test_random_bytes_never_raise_and_memory_stays_bounded(chunks: list[bytes]) -> None:
    dec = AsciiDecoder()
    for chunk in chunks:
        for f in dec.feed(chunk):
            assert isinstance(f, Reading | Banner)
        assert dec.buffered <= MAX_LINE


@FAST
@given(st.text(max_size=80))
def test_parse_line_never_raises(text: str) -> None:
    r = parse_line(text)
    assert r is None or isinstance(r, Reading)


@FAST
@given(value=st.floats(-1e6, 1e6, allow_nan=False), unit=st.sampled_from(list(UNIT_ALIASES)),
       space=st.sampled_from(["", " ", "  "]), upper=st.booleans())
def test_value_unit_round_trip(value: float, unit: str, space: str, upper: bool) -> None:
    text = f"{value:.4f}{space}{unit.upper() if upper else unit}"
    r = parse_line(text)
    assert r == Reading(float(f"{value:.4f}"), UNIT_ALIASES[unit])
