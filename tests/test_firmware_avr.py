"""The open firmware (firmware/) as a real board runs it: the binary on an emulated ATmega328P (simavr),
its UART on a pseudo-terminal, an HX711 model on its pins fed by the hand model (`--board avr`).

Every check judges bytes, frames, counts and the device's own clock, never the host's: the emulator
may run behind real time on a busy machine. They skip, saying why, where avr-gcc or simavr is missing.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import serial
from devices import Sim, Watched

from firmware_sim import avr
from nmt_pressure import DetectorConfig, analyze
from nmt_pressure.io.recording import read_recording
from nmt_pressure.protocol import nmtp
from nmt_pressure.protocol.frames import FLAG_MARKER, FLAG_OVERLOAD, FLAG_TARED, Banner, Response, SampleBlock

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
#: Generous: the emulator may crawl while other programs keep both CPUs busy.
WAIT_S = 90.0


@pytest.fixture(scope="session")
def board_build() -> tuple[Path, Path]:
    """One build of the firmware and the emulator for the whole session."""
    # The tests may run the installed package (make test): the boards they start build from this tree.
    os.environ["NMT_FIRMWARE_DIR"] = str(ROOT / "firmware")
    avr.FIRMWARE_DIR = ROOT / "firmware"
    why = avr.missing_tools()
    if why:
        pytest.skip(f"the emulated board needs avr-gcc, avr-libc and simavr ({why} missing): "
                    f"apt-get install {avr.PACKAGES}")
    return avr.build()


class Link:
    """The board's serial port as a host opens it: frames in, commands out."""

    def __init__(self, port: str) -> None:
        self.ser = serial.Serial(port, 115200, timeout=0.05)
        self.dec = nmtp.NmtpDecoder()
        self.frames: list[Any] = []  # every frame received
        self._unseen: list[Any] = []  # received, not yet looked at by until()

    def send(self, text: str, *, typed: bool = False) -> None:
        self.ser.write((text + "\r\n").encode() if typed else nmtp.encode_command(text))

    def pump(self) -> None:
        got = self.dec.feed(self.ser.read(self.ser.in_waiting or 1))
        self.frames.extend(got)
        self._unseen.extend(got)

    def until(self, test: Callable[[Any], bool], what: str) -> Any:
        """The next frame (in order of arrival) that passes ``test``; those before it are passed over."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            while self._unseen:
                f = self._unseen.pop(0)
                if test(f):
                    return f
            self.pump()
        raise AssertionError(f"no {what} within {WAIT_S:g} s; last frames: {self.frames[-5:]}")

    def reply(self, text: str, *, typed: bool = False) -> str:
        self.send(text, typed=typed)
        return self.until(lambda f: isinstance(f, Response), f"reply to {text!r}").text

    def block(self, test: Callable[[SampleBlock], bool] = lambda b: True, what: str = "block") -> SampleBlock:
        return self.until(lambda f: isinstance(f, SampleBlock) and test(f), what)

    def blocks(self, n: int) -> list[SampleBlock]:
        return [self.block() for _ in range(n)]

    def close(self) -> None:
        self.ser.close()


@pytest.fixture
def board(board_build: tuple[Path, Path], sims: list[Sim]) -> Iterator[Callable[..., tuple[Sim, Link]]]:
    links: list[Link] = []

    def start(*args: str) -> tuple[Sim, Link]:
        s = Sim("--board", "avr", *args)
        sims.append(s)
        link = Link(s.port)
        links.append(link)
        return s, link

    yield start
    for link in links:
        link.close()


def script(tmp_path: Path, *lines: str) -> str:
    p = tmp_path / "hand.txt"
    p.write_text("\n".join(lines) + "\n")
    return str(p)


def kv(text: str) -> dict[str, str]:
    return nmtp.parse_kv(text)[1]


# --------------------------------------------------------------------------------------------------
# one definition of the format
# --------------------------------------------------------------------------------------------------
def test_shared_vectors_are_the_python_codecs_and_the_c_codec_agrees(tmp_path):
    """The vectors file is what the Python codec makes today, and the firmware's C codec (compiled for
    this machine) produces and accepts exactly those bytes: frames, CRC, COBS, repair, typed lines."""
    p = subprocess.run([PY, str(ROOT / "tools" / "nmtp_vectors.py"), "--check"], capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    if subprocess.run(["sh", "-c", "command -v cc"], capture_output=True).returncode != 0:
        pytest.skip("no C compiler (cc) for the host build of the firmware's codec")
    p = subprocess.run(["make", "-s", "-C", str(ROOT / "firmware"), "check", f"BUILD={tmp_path}"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert ", 0 failed" in p.stdout and "checked" in p.stdout


def test_a_planted_difference_fails_the_c_check(tmp_path):
    """The C check is not a rubber stamp: one changed byte of one frame in the vectors fails it."""
    if subprocess.run(["sh", "-c", "command -v cc"], capture_output=True).returncode != 0:
        pytest.skip("no C compiler (cc) for the host build of the firmware's codec")
    lines = (ROOT / "firmware" / "test" / "nmtp_vectors.txt").read_text().splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("samples "))
    head, frame = lines[i].rsplit(" ", 1)
    lines[i] = f"{head} {frame[:-4]}{(int(frame[-4:-2], 16) ^ 1):02x}00"
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(lines) + "\n")
    subprocess.run(["make", "-s", "-C", str(ROOT / "firmware"), f"BUILD={tmp_path}", f"{tmp_path}/test_nmtp"],
                   check=True, capture_output=True)
    p = subprocess.run([str(tmp_path / "test_nmtp"), str(bad)], capture_output=True, text=True)
    assert p.returncode == 1 and "1 failed" in p.stdout


# --------------------------------------------------------------------------------------------------
# the board on the line
# --------------------------------------------------------------------------------------------------
def test_every_command_framing_and_rate_on_the_device_clock(board):
    _, link = board("--scenario", "idle", "--seed", "3")
    ident = kv(link.reply("ID"))
    assert ident["name"] == "nmt-avr" and ident["adc"] == "hx711" and ident["rate"] == "80"
    assert ident["cal"] == "eeprom" and ident["serial"].startswith("AVR") and float(ident["scale"]) > 0

    # 80 SPS: one sample a block, consecutive numbers, 12.5 ms apart on the device's own clock.
    blocks = link.blocks(60)
    assert all(len(b.counts) == 1 and b.dt_us == 12500 for b in blocks)
    assert all((b.seq - a.seq) & 0xFFFF == 1 for a, b in itertools.pairwise(blocks))
    steps = np.diff([b.t0_us for b in blocks])
    assert abs(np.median(steps) - 12500) <= 125 and steps.min() > 11000 and steps.max() < 14000

    st = kv(link.reply("STATUS", typed=True))  # a typed line works as a frame does
    assert st["streaming"] == "1" and st["rate"] == "80" and st["adc_ok"] == "1" and st["reset"] == "power"
    assert abs(float(st["measured_hz"]) - 80.0) < 1.0 and 10.0 < float(st["temp_c"]) < 40.0

    assert link.reply("RATE 1000") == "err rate unsupported rates=10,80"
    assert link.reply("RATE 10") == "ok rate=10"
    link.block(lambda b: b.dt_us == 0, "a 10 SPS block")
    slow = link.blocks(8)
    assert all(b.dt_us == 0 and len(b.counts) == 1 for b in slow)  # 100 ms does not fit in dt_us
    assert abs(np.median(np.diff([b.t0_us for b in slow])) - 100_000) <= 1000
    assert link.reply("rate 80") == "ok rate=80"  # commands are case-insensitive

    assert link.reply("CAL").startswith("err cal needs the applied force")
    assert link.reply("CAL -2").startswith("err cal needs the applied force")
    assert link.reply("CAL 10").startswith("err cal no load")  # nothing on the cell
    tare = kv(link.reply("TARE"))
    assert "tare" in tare and int(tare["offset"]) != 0
    assert link.block().flags & FLAG_TARED
    assert link.reply("MARK") == "ok mark"
    assert link.block().flags & FLAG_MARKER
    assert link.reply("FROB") == "err unknown command"

    assert link.reply("STOP") == "ok streaming=0"
    before = sum(isinstance(f, SampleBlock) for f in link.frames)
    assert kv(link.reply("STATUS"))["streaming"] == "0"
    assert sum(isinstance(f, SampleBlock) for f in link.frames) == before  # silent while stopped
    assert link.reply("START") == "ok streaming=1"
    link.block()
    assert link.dec.stats.crc_errors == 0 and link.dec.stats.framing_errors <= 1  # <= 1: joined mid-frame
    assert not any(isinstance(f, Banner) and "not answering" in f.text for f in link.frames)


def test_a_module_with_its_rate_pin_tied_is_measured_and_said(board):
    """Most HX711 modules tie RATE to GND: the firmware asks 80/s and gets 10. It measures that on its
    own clock, says so once with the fix, and sends what is true (rate=10 in ID, dt_us 0 blocks)."""
    _, link = board("--scenario", "idle", "--seed", "12", "--rate-pin-tied")
    told = link.until(lambda f: isinstance(f, Banner) and "not the 80 set" in f.text, "the rate banner")
    assert "converts at 10 samples/s" in told.text and "RATE 10" in told.text
    ident = kv(link.reply("ID"))
    assert ident["rate"] == "10" and ident["rate_set"] == "80"
    blocks = link.blocks(5)
    assert all(b.dt_us == 0 for b in blocks)
    assert abs(np.median(np.diff([b.t0_us for b in blocks])) - 100_000) <= 1000
    assert link.reply("RATE 10") == "ok rate=10"
    link.blocks(12)  # past the 8 conversions the firmware measures the rate over
    assert not any(isinstance(f, Banner) and "not the 10 set" in f.text for f in link.frames)


def test_garbage_and_damaged_commands_on_rx(board):
    """Line noise on RX does not stop the board hearing the next command; a command frame with one
    wrong byte is repaired by its check bytes, one with two is refused; every reply comes in order."""
    _, link = board("--scenario", "idle", "--seed", "4")
    link.reply("ID")
    rng = random.Random(15)
    noise = bytes(rng.randrange(256) for _ in range(3000))
    link.ser.write(noise + b"\x00")
    assert link.reply("ID").startswith("id name=nmt-avr")
    frame = bytearray(nmtp.encode_command("MARK"))
    frame[3] ^= 0x40  # one byte: repaired
    link.ser.write(bytes(frame))
    assert link.until(lambda f: isinstance(f, Response), "reply to the repaired MARK").text == "ok mark"
    frame[5] ^= 0x11  # two bytes: refused (no reply), the next command still heard
    link.ser.write(bytes(frame))
    st = kv(link.reply("STATUS"))
    assert int(st["corrected"]) == 1 and int(st["crc_errors"]) >= 1
    assert [f.text.split()[0] for f in link.frames if isinstance(f, Response)] == \
        ["id", "id", "ok", "status"]
    assert link.dec.stats.crc_errors == 0  # the board's own output stayed clean throughout


def test_calibration_survives_a_power_cycle_in_eeprom(board, tmp_path):
    """CAL with a known mass on the cell sets the scale (newtons come out right), TARE the zero; both
    are in the EEPROM after the board is switched off, and the next power-up reports them."""
    ee = tmp_path / "eeprom.bin"
    hand = script(tmp_path, "idle 2", "ramp 1 to 49.03", "hold 600", "release 0.5")  # a 5 kg mass
    s, link = board("--script", hand, "--seed", "5", "--eeprom", str(ee))
    factory = kv(link.reply("ID"))
    link.block(lambda b: b.t0_us > 5_000_000, "a block 5 s after power-up (the mass resting)")
    cal = kv(link.reply("CAL 49.03"))
    scale = float(cal["scale"])
    assert scale == pytest.approx(float(factory["scale"]), rel=0.02)  # the factory one was close
    offset = int(kv(link.reply("ID"))["offset"])
    b = link.block()
    assert (b.counts[0] - offset) / scale == pytest.approx(49.03, rel=0.01)
    link.close()
    s.stop()  # power off (SIGTERM: the emulator writes its EEPROM back)
    assert ee.stat().st_size == 1024

    s2, link2 = board("--script", hand, "--seed", "5", "--eeprom", str(ee))
    again = kv(link2.reply("ID"))
    assert again["scale"] == cal["scale"] and again["cal"] == "eeprom"
    assert again["serial"] == factory["serial"]
    assert link2.reply("RATE 10") == "ok rate=10"
    link2.close()
    s2.stop()
    _, link3 = board("--script", hand, "--seed", "5", "--eeprom", str(ee))
    assert kv(link3.reply("ID"))["rate"] == "10"  # the rate is kept too


def test_marker_button_flags_the_next_block(board, tmp_path):
    labels = tmp_path / "labels.json"
    hand = script(tmp_path, "idle 1.5", "mark", "idle 600")
    _, link = board("--script", hand, "--seed", "6", "--labels", str(labels))
    marked = link.block(lambda b: bool(b.flags & FLAG_MARKER), "a block with the marker flag")
    press = next(lab for lab in json.loads(labels.read_text())["labels"] if lab["kind"] == "mark")
    assert marked.t0_us / 1e6 == pytest.approx(press["t"], abs=0.05)  # the next conversion after it
    st = kv(link.reply("STATUS"))
    assert st["presses"] == "1"
    later = link.blocks(20)
    assert not any(b.flags & FLAG_MARKER for b in later)  # one press, one flag


def test_stuck_dout_is_reported_and_recovers(board):
    _, link = board("--scenario", "idle", "--seed", "7", "--dout-stuck-at", "1.5", "--dout-stuck-for", "2")
    lost = link.until(lambda f: isinstance(f, Banner) and "not answering" in f.text, "the stuck-DOUT banner")
    assert "D2" in lost.text
    link.until(lambda f: isinstance(f, Banner) and "answering again" in f.text, "the recovery banner")
    b = link.block()
    st = kv(link.reply("STATUS"))
    assert st["adc_ok"] == "1" and int(st["adc_restarts"]) >= 1 and b.t0_us > 3_500_000


def test_saturation_sets_the_overload_flag(board, tmp_path):
    hand = script(tmp_path, "idle 1.5", "ramp 0.5 to 60", "hold 600", "release 0.5")
    _, link = board("--script", hand, "--seed", "8", "--full-scale", "30")
    over = link.block(lambda b: bool(b.flags & FLAG_OVERLOAD), "an overloaded block")
    assert over.counts[0] == nmtp.COUNTS_MAX
    assert kv(link.reply("STATUS"))["overload"] == "1"


def test_cell_noise_reaches_the_counts_as_a_sigma_delta_converter_averages_it(board):
    """--noise is the cell's noise at 1 kHz; the HX711 model averages it over its conversion window,
    so at 80 samples/s its sigma is √(80/1000) of that, as the simulator's converter has it."""
    sds = {}
    for noise in ("0", "1.0"):
        _, link = board("--scenario", "idle", "--seed", "13", "--noise", noise)
        gain = float(kv(link.reply("ID"))["scale"])
        counts = np.array([b.counts[0] for b in link.blocks(200)], dtype=np.float64)
        sds[noise] = float(np.std(np.diff(counts)) / np.sqrt(2))  # white noise: sd of the steps / √2
        sds[noise + "_expected"] = gain * float(noise) * np.sqrt(80 / 1000)
        link.close()
    assert sds["0"] < 5  # counts without noise: the model's temperature drift only
    assert sds["1.0"] == pytest.approx(sds["1.0_expected"], rel=0.2)


def test_a_reader_that_connects_late_gets_fresh_data(board_build, sims):
    host_start = time.monotonic()
    s = Sim("--board", "avr", "--scenario", "idle", "--seed", "9")
    sims.append(s)
    time.sleep(3.0)  # nobody reads meanwhile (no assertion rests on this time)
    link = Link(s.port)
    try:
        assert link.reply("ID").startswith("id name=nmt-avr")
        st = kv(link.reply("STATUS"))
        # The emulated clock may fall behind on a busy machine but never runs ahead of real time (a
        # one-sided bound: load can only make it smaller).
        assert int(st["uptime_us"]) / 1e6 <= time.monotonic() - host_start + 0.5
        blocks = link.blocks(10)
        assert all((b.seq - a.seq) & 0xFFFF == 1 for a, b in itertools.pairwise(blocks))
        # fresh: the blocks after the reply are from after the STATUS was answered, not a stale backlog
        assert blocks[-1].t0_us >= int(st["uptime_us"])
        assert link.dec.stats.crc_errors == 0 and link.dec.stats.framing_errors <= 1
    finally:
        link.close()


# --------------------------------------------------------------------------------------------------
# the whole chain: firmware -> UART -> pty -> nmt-pressure monitor -> core -> events
# --------------------------------------------------------------------------------------------------
def test_monitor_finds_the_sessions_holds_and_release_and_replays_them(board_build, sims, tmp_path):
    labels, rec, js = tmp_path / "labels.json", tmp_path / "r.csv", tmp_path / "s.json"
    s = Sim("--board", "avr", "--scenario", "session", "--seed", "1", "--labels", str(labels))
    sims.append(s)
    mon = Watched([PY, "-m", "nmt_pressure", "monitor", "--port", s.port, "--record", str(rec),
                   "--summary-json", str(js)])
    try:
        mon.wait_for("connected: nmt-avr", timeout=WAIT_S)
        mon.wait_for("release", timeout=WAIT_S)
        assert mon.stop(signal.SIGINT, timeout=WAIT_S) == 0
    finally:
        mon.kill()
    assert "Traceback" not in "\n".join(mon.err)
    out = json.loads(js.read_text())
    assert out["device"].startswith("nmt-avr") and out["format"] == "nmtp"
    assert out["dropped"] == 0 and out["crc_errors"] == 0 and out["reconnects"] == 0
    events = out["events"]
    truth = json.loads(labels.read_text())["labels"]
    hold = min((x for x in truth if x["kind"] == "hold"), key=lambda x: x["start"])
    release = min((x for x in truth if x["kind"] == "release"), key=lambda x: x["t"])
    starts = [e for e in events if e["kind"] == "hold_start"]
    releases = [e for e in events if e["kind"] == "release"]
    assert starts and starts[0]["t"] == pytest.approx(hold["start"], abs=0.6)
    assert starts[0]["level"] == pytest.approx(hold["level"], rel=0.05)
    assert releases and releases[0]["t"] == pytest.approx(release["t"], abs=0.3)
    r = read_recording(rec)
    assert np.median(np.diff(r.t)) == pytest.approx(0.0125, rel=0.01)  # 80 SPS on the device clock
    cfg = DetectorConfig(**json.loads(r.metadata["detector_config"]))
    assert analyze(r.t, r.force_n, cfg).to_dict()["events"] == events  # replay = live


def test_board_avr_without_the_tools_says_what_to_install(tmp_path):
    """Where avr-gcc or simavr is missing (simulated by an empty PATH for the tools), one sentence
    names the Debian packages, exit status 2, no traceback."""
    env = {"PATH": str(tmp_path), "PYTHONPATH": ":".join(sys.path),
           "NMT_FIRMWARE_DIR": str(ROOT / "firmware")}
    p = subprocess.run([PY, "-m", "firmware_sim", "--board", "avr"], capture_output=True, text=True, env=env,
                       timeout=60)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "apt-get install gcc-avr avr-libc simavr libsimavr-dev" in p.stderr
    assert p.stdout == ""


def test_ports_and_monitor_say_what_the_board_is(board_build, sims, tmp_path):
    """`nmt-pressure ports PORT` asks ID and names the firmware; a fresh board (erased EEPROM) is said
    to be uncalibrated, by the probe and by the monitor, with what to do about it."""
    erased = tmp_path / "erased.bin"
    erased.write_bytes(b"\xff" * 1024)
    s = Sim("--board", "avr", "--scenario", "idle", "--seed", "10", "--eeprom", str(erased))
    sims.append(s)
    ascii_dev = Sim("--format", "ascii", "--scenario", "idle", "--rate", "80")
    sims.append(ascii_dev)
    p = subprocess.run([PY, "-m", "nmt_pressure", "ports", s.port, ascii_dev.port], capture_output=True,
                       text=True, timeout=WAIT_S)
    assert p.returncode == 0 and "Traceback" not in p.stderr
    avr_line, ascii_line = p.stdout.splitlines()
    assert avr_line.startswith(s.port) and "nmt-avr fw 1.0" in avr_line and "ATmega328P + HX711" in avr_line
    assert "NOT calibrated" in avr_line
    assert "ASCII readings" in ascii_line
    m = subprocess.run([PY, "-m", "nmt_pressure", "monitor", "--port", s.port, "--duration", "3"],
                       capture_output=True, text=True, timeout=WAIT_S)
    assert m.returncode == 0, m.stderr
    assert "connected: nmt-avr" in m.stdout and "the project's open firmware" in m.stdout
    assert "is not calibrated" in m.stdout and "CAL <newtons>" in m.stdout


def test_a_stalled_emulator_falls_behind_and_never_sprints(board_build, sims):
    """A busy machine, made certain: the emulator is stopped for a second. Its device clock then lags
    real time and goes on at real time; it never races ahead to catch up (a one-sided bound that load
    can only make easier). The blocks stay consecutive: nothing is lost, only late."""
    host_start = time.monotonic()
    s = Sim("--board", "avr", "--scenario", "idle", "--seed", "11")
    sims.append(s)
    children = Path(f"/proc/{s.proc.pid}/task/{s.proc.pid}/children").read_text().split()
    assert len(children) == 1, children
    emu = int(children[0])
    link = Link(s.port)
    try:
        link.reply("ID")
        os.kill(emu, signal.SIGSTOP)
        time.sleep(1.0)
        os.kill(emu, signal.SIGCONT)
        blocks = link.blocks(160)  # two seconds of device time after the stall
        assert all((b.seq - a.seq) & 0xFFFF == 1 for a, b in itertools.pairwise(blocks))
        up = int(kv(link.reply("STATUS"))["uptime_us"]) / 1e6
        assert up <= time.monotonic() - host_start - 0.5  # the stall is not made up for
    finally:
        link.close()


def test_the_board_and_the_simulator_give_the_core_the_same_hold_step_release(board_build, sims, tmp_path):
    """One scripted hand (a hold, a marker press, a quick step up, a release) played on the emulated
    board and on the Python simulator at the same 80 samples/s, each read by a real monitor: the same
    events and marker, at the times the labels put them, on both."""
    hand = script(tmp_path, "idle 1.5", "ramp 1 to 30", "hold 3", "mark", "step 0.6 to 40", "hold 3",
                  "release 0.5", "idle 600")
    runs: dict[str, tuple[Watched, Path, Path]] = {}
    for name, extra in (("avr", ("--board", "avr")), ("sim", ("--rate", "80"))):
        labels, js = tmp_path / f"{name}.labels.json", tmp_path / f"{name}.json"
        dev = Sim(*extra, "--script", hand, "--seed", "14", "--labels", str(labels))
        sims.append(dev)
        runs[name] = (Watched([PY, "-m", "nmt_pressure", "monitor", "--port", dev.port, "--summary-json",
                               str(js)]), labels, js)
    found: dict[str, list[dict[str, Any]]] = {}
    for name, (mon, labels, js) in runs.items():
        try:
            mon.wait_for("release", timeout=WAIT_S)
            assert mon.stop(signal.SIGINT, timeout=WAIT_S) == 0
        finally:
            mon.kill()
        found[name] = json.loads(js.read_text())["events"]
        truth = json.loads(labels.read_text())["labels"]
        # the client's marker (the board's button, the simulator's flag) on the monitor, where it was
        press = next(x for x in truth if x["kind"] == "mark")
        marker = [line for line in mon.out if "marker" in line]
        assert len(marker) == 1 and float(marker[0].split()[0]) == pytest.approx(press["t"], abs=0.1), marker
        kinds = [e["kind"] for e in found[name]]
        assert kinds == ["contact", "hold_start", "step", "hold_start", "release"], (name, kinds)
        step = next(x for x in truth if x["kind"] == "step")
        release = next(x for x in truth if x["kind"] == "release")
        by_kind = {e["kind"]: e for e in found[name]}
        assert by_kind["step"]["direction"] == "up"
        assert by_kind["step"]["t"] == pytest.approx(step["t"], abs=0.2)
        assert by_kind["release"]["t"] == pytest.approx(release["t"], abs=0.2)
    for a, b in zip(found["avr"], found["sim"], strict=True):
        assert a["kind"] == b["kind"] and a["direction"] == b["direction"]
        assert a["t"] == pytest.approx(b["t"], abs=0.15)
        if a["level"] is not None:
            # A contact's level is the force at the tick that saw it, on the rise: the two devices'
            # samples fall differently on the 20-ms ticks, so it may differ by the rise between the
            # two ticks (at most the ramp's steepest: 30 N in 1 s of minimum jerk, 56 N/s).
            rise = 1.875 * 30.0 * abs(a["t_detected"] - b["t_detected"]) if a["kind"] == "contact" else 0.0
            assert abs(a["level"] - b["level"]) <= 0.03 * abs(b["level"]) + rise, (a, b)


def test_make_flash_names_what_it_needs(board_build):
    """`make flash` without PORT says how to give it; without avrdude, which package to install."""
    p = subprocess.run(["make", "-s", "-C", str(ROOT / "firmware"), "flash"], capture_output=True, text=True)
    assert p.returncode != 0 and "make flash PORT=/dev/ttyUSB0" in p.stdout + p.stderr
    if subprocess.run(["sh", "-c", "command -v avrdude"], capture_output=True).returncode == 0:
        return  # a machine that can flash: nothing more to check without a board
    p = subprocess.run(["make", "-s", "-C", str(ROOT / "firmware"), "flash", "PORT=/dev/null"],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "apt-get install avrdude" in p.stdout + p.stderr
