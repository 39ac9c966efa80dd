"""``--board avr``: the open firmware (``firmware/``) on an emulated ATmega328P, fed by the hand model.

The device is then not Python at all: ``firmware/build/firmware.elf``, the binary a real Uno or Nano
runs, executes in simavr inside ``nmt-avr-emu`` (``firmware/emu/``), whose UART0 is a pseudo-terminal
and whose HX711 model sits on the firmware's pins. This module is the hand and the cell: it plays the
same scenarios as ``--board sim`` (:class:`firmware_sim.scenarios.Player`), turns the force into the
cell's raw counts with the same converter model (:class:`firmware_sim.adc.Adc`, at 1 kHz; the HX711
model averages them over its 10 or 80 SPS window) and streams them to the emulator's standard input in
device-time order, with the marker presses and DOUT faults at their device times. The pipe paces it:
the emulator runs in real time and reads only as far as its clock has come.

The emulator's first line (``port: /dev/pts/N``) is passed on as this program's first line, as the
simulator prints it. The calibration lives in the emulated EEPROM: ``--eeprom FILE`` keeps it across
runs like a real board's (a new file starts with a factory calibration of the modelled cell).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from firmware_sim.adc import Adc, AdcConfig
from firmware_sim.scenarios import Player, save_labels
from nmt_pressure.protocol.nmtp import crc16_ccitt_false


def _firmware_dir() -> Path:
    """The firmware's source tree: $NMT_FIRMWARE_DIR, else beside this package (a clone), else
    ./firmware (an installed package run from a clone, as `make test` does)."""
    env = os.environ.get("NMT_FIRMWARE_DIR")
    if env:
        return Path(env)
    for cand in (Path(__file__).resolve().parent.parent / "firmware", Path.cwd() / "firmware"):
        if (cand / "Makefile").exists():
            return cand
    return Path(__file__).resolve().parent.parent / "firmware"


#: The firmware's source tree (absent from an installed wheel: --board avr then says so).
FIRMWARE_DIR = _firmware_dir()
#: Debian packages the emulated board needs (named in the error that says they are missing).
PACKAGES = "gcc-avr avr-libc simavr libsimavr-dev"
HX711_RATES = (10, 80)
#: Counts are sent per millisecond of device time, in lines of this many.
CHUNK_MS = 50
#: How long the marker button is held down for one press (ms).
PRESS_MS = 150
EEPROM_SIZE = 1024
NAME = "nmt-avr"


class BoardError(Exception):
    """The emulated board cannot run here; the message is one sentence naming the fix."""


def missing_tools() -> str | None:
    """What is missing to build and run the emulated board, in a few words, or None."""
    missing = [tool for tool in ("avr-gcc", "avr-objcopy", "make") if shutil.which(tool) is None]
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        missing.append("a C compiler (cc)")
    if not Path("/usr/include/simavr/sim_avr.h").exists():
        missing.append("the simavr headers (/usr/include/simavr)")
    libdirs = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib")
    if not any(Path(d, "libsimavr.so").exists() or Path(d, "libsimavr.a").exists() for d in libdirs):
        missing.append("libsimavr")
    if not (Path("/usr/lib/avr/include/avr/io.h").exists() or Path("/usr/avr/include/avr/io.h").exists()):
        missing.append("avr-libc")
    return ", ".join(missing) if missing else None


def build(quiet: bool = True) -> tuple[Path, Path]:
    """Build (if out of date) and return the firmware and the emulator: ``(firmware.elf, nmt-avr-emu)``.

    Parallel callers (tests, two simulators) take turns on a lock file; make does the rest.
    """
    if not (FIRMWARE_DIR / "Makefile").exists():
        raise BoardError(f"--board avr needs the firmware's source tree ({FIRMWARE_DIR} is missing): run it "
                         "from a clone of the repository, or set NMT_FIRMWARE_DIR to its firmware/ folder.")
    why = missing_tools()
    if why:
        raise BoardError(f"--board avr needs avr-gcc, avr-libc and simavr ({why} missing): install them with "
                         f"`sudo apt-get install {PACKAGES}`, or use --board sim.")
    build_dir = FIRMWARE_DIR / "build"
    build_dir.mkdir(exist_ok=True)
    with open(build_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        p = subprocess.run(["make", "-C", str(FIRMWARE_DIR), "firmware", "emulator"], capture_output=True,
                           text=True, check=False)
    if p.returncode != 0:
        tail = " ".join((p.stderr or p.stdout).strip().splitlines()[-3:])
        raise BoardError(f"building the firmware failed ({tail}); run `make firmware` to see why.")
    if not quiet:
        sys.stderr.write(p.stdout)
    return build_dir / "firmware.elf", build_dir / "nmt-avr-emu"


def factory_eeprom(scale: float, serial: str, rate: int) -> bytes:
    """An EEPROM image with slot A set as firmware/src/settings.h lays it out (generation 1)."""
    body = b"NM" + struct.pack("<BBfi12sBB", 1, 1, scale, 0, serial.encode("ascii")[:12], rate, 1)
    slot = body + struct.pack("<H", crc16_ccitt_false(body))
    return slot + b"\xff" * (EEPROM_SIZE - len(slot))


@dataclass
class AvrConfig:
    """What ``python -m firmware_sim --board avr`` runs."""

    rate: int = 80
    seed: int = 0
    eeprom: str | None = None
    labels_path: str | None = None
    adc: AdcConfig = field(default_factory=AdcConfig)
    scenario_meta: dict[str, Any] = field(default_factory=dict)
    #: DOUT stuck high from this device time (s) on, for stuck_for s (None: for good).
    stuck_at: float | None = None
    stuck_for: float | None = None
    #: The module ties RATE to GND in copper (most green boards): 10 SPS whatever the firmware asks.
    rate_pin_tied: bool = False


class AvrBoard:
    """The emulator as a child process, and the hand and cell that feed it."""

    def __init__(self, cfg: AvrConfig, player: Player) -> None:
        if cfg.rate not in HX711_RATES:
            raise BoardError(f"the HX711 converts at 10 or 80 samples/s, not {cfg.rate}: use --rate 10 or "
                             "--rate 80 with --board avr.")
        self.cfg = cfg
        self.player = player
        base = np.random.SeedSequence([int(cfg.seed) & 0xFFFFFFFF, 0xA7A3])
        adc_ss, id_ss = base.spawn(2)
        id_rng = np.random.default_rng(id_ss)
        self.adc = Adc(lambda t: player.force(t + player.t0), np.random.default_rng(adc_ss), cfg.adc)
        self.serial = f"AVR{int(id_rng.integers(0, 1 << 24)):06X}"
        # Factory calibration, as the simulator's: within 0.2 % of the cell's true sensitivity.
        self.factory_scale = self.adc.gain * (1.0 + float(id_rng.normal(0.0, 0.002)))
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = ""
        self.stopping = False
        self._ms = 0  # counts sent up to this ms of device time
        self._out = bytearray()
        self._faults: list[tuple[float, int]] = []
        if cfg.stuck_at is not None:
            self._faults.append((cfg.stuck_at, 1))
            if cfg.stuck_for is not None:
                self._faults.append((cfg.stuck_at + cfg.stuck_for, 0))
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self._next_labels = 0.0

    # ---- start and stop
    def start(self, elf: Path, emulator: Path) -> str:
        path = self.cfg.eeprom
        keep = path is not None
        if path is None:  # a board for this run only: the emulator reads the image, never writes it
            self._tmpdir = tempfile.TemporaryDirectory(prefix="nmt-avr-")
            path = os.path.join(self._tmpdir.name, "eeprom.bin")
        if not os.path.exists(path):
            try:
                Path(path).write_bytes(factory_eeprom(self.factory_scale, self.serial, self.cfg.rate))
            except OSError as exc:
                raise BoardError(f"cannot write the EEPROM image --eeprom {path} ({exc.strerror}); check "
                                 "the path.") from None
        self.write_labels(force=True)
        argv = [str(emulator), str(elf), "--eeprom" if keep else "--eeprom-image", path]
        if self.cfg.rate_pin_tied:
            argv.append("--rate-pin-tied")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     preexec_fn=_die_with_parent)
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self._feed(CHUNK_MS * 4)  # the first conversions' counts wait in the pipe
        line = self.proc.stdout.readline().decode("ascii", "replace").strip()
        if not line.startswith("port: "):
            self.stop()
            raise BoardError(f"the emulator did not start ({line or 'no output'}); run `make firmware` and "
                             "try firmware/build/nmt-avr-emu firmware/build/firmware.elf.")
        self.port = line[len("port: "):]
        if self._tmpdir is not None:  # read before the port was said: gone now, even if we are killed
            self._tmpdir.cleanup()
            self._tmpdir = None
        os.set_blocking(self.proc.stdin.fileno(), False)
        return self.port

    def stop(self) -> int:
        """End the emulator: the end of its input (it saves the EEPROM), else SIGTERM, else SIGKILL."""
        proc = self.proc
        if proc is None:
            return 0
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()
        self.write_labels(force=True)
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
        return proc.returncode or 0

    # ---- the hand and the cell
    def _lines(self, upto_ms: int) -> bytes:
        """Counts (and button presses, faults) from the last ms sent up to ``upto_ms``."""
        parts: list[str] = []
        while self._ms < upto_ms:
            k0 = self._ms + 1
            t = (k0 + np.arange(CHUNK_MS, dtype=np.int64)) / 1000.0
            t_end = float(t[-1])
            for when in self.player.take_marks(self.player.t0 + t_end):
                parts.append(f"b {max(0, round((when - self.player.t0) * 1e6))} {PRESS_MS}\n")
            while self._faults and self._faults[0][0] <= t_end:
                when, stuck = self._faults.pop(0)
                parts.append(f"d {round(when * 1e6)} {stuck}\n")
            counts, _ = self.adc.convert(t, 1000.0)
            parts.append("c " + " ".join(map(str, counts.tolist())) + "\n")
            self._ms += CHUNK_MS
        return "".join(parts).encode("ascii")

    def _feed(self, upto_ms: int) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(self._lines(upto_ms))
        self.proc.stdin.flush()

    def run(self) -> int:
        """Stream until stopped or the emulator ends; its exit status."""
        assert self.proc is not None and self.proc.stdin is not None
        fd = self.proc.stdin.fileno()
        while not self.stopping and self.proc.poll() is None:
            if not self._out:
                self._out += self._lines(self._ms + CHUNK_MS)
            try:
                _, w, _ = select.select([], [fd], [], 0.2)
            except (OSError, ValueError):
                break
            if w:
                try:
                    n = os.write(fd, self._out)
                except BlockingIOError:
                    n = 0
                except (BrokenPipeError, OSError):
                    break
                del self._out[:n]
            try:
                self.write_labels()
            except OSError as exc:
                print(f"firmware_sim: cannot update {self.cfg.labels_path} ({exc.strerror}); labels are no "
                      "longer written", file=sys.stderr, flush=True)
                self.cfg.labels_path = None
        return self.stop()

    # ---- labels
    def write_labels(self, force: bool = False) -> None:
        path = self.cfg.labels_path
        if not path:
            return
        now = time.monotonic()
        if not force and now < self._next_labels:
            return
        self._next_labels = now + 1.0
        meta = {
            **self.cfg.scenario_meta,
            "seed": self.cfg.seed,
            "device": f"{NAME} fw 1.0 serial={self.serial} (emulated ATmega328P, simavr)",
            "time_base": "device time in s since the emulated board's power-up (its Timer1 µs clock)",
            "clock_start_us": 0,
            "t_now": self._ms / 1000.0,
        }
        save_labels(path, self.player, meta)


def _die_with_parent() -> None:
    """In the emulator's process: SIGTERM when this one dies (PR_SET_PDEATHSIG), so none is left."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def run_board(cfg: AvrConfig, player: Player, announce: Callable[[str, str], None]) -> int:
    """Build, start, announce (port line first), stream until SIGTERM/SIGINT; the exit status."""
    elf, emulator = build()
    board = AvrBoard(cfg, player)
    previous = {}

    def _stop(signum: int, frame: Any) -> None:
        board.stopping = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(ValueError):
            previous[sig] = signal.signal(sig, _stop)
    try:
        port = board.start(elf, emulator)
        announce(port, f"{NAME} fw 1.0 serial={board.serial} on an emulated ATmega328P (simavr), HX711 at "
                       f"{cfg.rate} SPS")
        board.run()
    finally:
        board.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
