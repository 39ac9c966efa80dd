"""The simulated device's firmware: boot, the ADC sample clock, SAMPLES blocks, commands, faults.

Behaviour, as a real load-cell board would have it:

* **boot**: the clock starts (a 32-bit µs counter beginning at ``clock_start_us``), the firmware tares
  itself (offset = the reading with nothing on the cell; the first block carries ``FLAG_TARED``),
  sends a BANNER (``nmt-sim fw 1.0 ready …``) and, like a real gauge at power-on, streams at once
  (unless ``autostart`` is off). A TCP client gets the banner when it connects (plugging in). With
  ``wait_for_host`` the device stays silent and the hand stays off the cell until the host's first
  command (the reader's ``ID``): then both start, so a scripted hand that follows a program's prompts
  (a drill) begins when that program is ready, at any ``speed``.
* **samples**: the ADC converts continuously at the current rate; conversion ``i`` ends at an exact
  multiple of ``dt_us`` on the device clock. While streaming, readings go out in SAMPLES blocks of up to
  10 samples, a block leaving as soon as it is full, which at every rate is at most 10 ms after its first
  sample was ready (10 Hz and 80 Hz: one sample per block). Every sample sent has the next u16 sequence
  number (so a dropped block leaves a gap); STOP sends the partial block before its reply.
* **pacing**: deadlines come from one monotonic clock read against the boot instant, never from
  sleeping a period, so timing errors do not accumulate; the loop sleeps in ``select`` until the next
  block is due (or a command arrives) and, if it woke late, sends every sample that is due at once.
  The ADC's readings are computed in vectorised chunks of 50 ms ahead of time (they depend only on the
  hand and the device time), so a wake-up costs little more than framing one block.
* **commands** (nmtp COMMAND frames or plain text lines; replies are RESPONSE frames, or text lines in
  the ASCII formats): ID, TARE, CAL <newtons>, RATE <hz>, START, STOP, STATUS, MARK.
* **faults** for tests: corrupted bytes, bursts of garbage, dropped blocks, a stall.

The counts on the wire are raw ADC counts; ``offset`` and ``scale`` (ID, TARE, CAL) tell the host how
to turn them into newtons: ``force = (counts − offset) / scale``.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from firmware_sim.adc import Adc, AdcConfig, adc_name
from firmware_sim.link import Link
from firmware_sim.scenarios import Player, save_labels
from nmt_pressure.protocol.frames import FLAG_MARKER, FLAG_OVERLOAD, FLAG_TARED
from nmt_pressure.protocol.nmtp import (
    RATE_MAX,
    RATE_MIN,
    CommandDecoder,
    encode_banner,
    encode_response,
    encode_samples,
    rate_supported,
)

FW_VERSION = "1.0"
NAME = "nmt-sim"
#: Most samples in a block, and the longest a sample may wait for its block (µs).
BLOCK_MAX_SAMPLES = 10
BLOCK_MAX_WAIT_US = 10_000
#: ADC readings computed ahead, per chunk (s of device time).
CHUNK_S = 0.05
#: A loop that fell further behind than this (suspended process) skips ahead instead of catching up.
MAX_CATCHUP_US = 1_000_000
#: What a Linux pty takes before a write would block (measured: ~15 KiB in raw mode); see --speed.
PTY_BUFFER_BYTES = 15_552
#: Readings averaged by TARE and CAL (as an HX711 library's ``tare(10)``).
TARE_READINGS = 10
FORMATS = ("nmtp", "ascii", "ascii-unit")
#: Units of the ASCII formats (newtons per unit).
UNITS = {"N": 1.0, "kg": 9.80665, "g": 0.00980665, "lb": 4.4482216152605}
_WRAP = 1 << 32


@dataclass
class FirmwareConfig:
    """Everything ``python -m firmware_sim`` can set, bar the link and the scenario."""

    rate: int = 1000
    seed: int = 0
    clock_start_us: int = 0
    fmt: str = "nmtp"
    unit: str = "N"
    autostart: bool = True
    serial: str | None = None
    corrupt: float = 0.0
    garbage_every: float | None = None
    drop: float = 0.0
    stall_after: float | None = None
    #: How long the stall lasts (s); None: for good.
    stall_for: float | None = None
    #: Hold the output and send it every this many ms, as a USB-serial chip's latency timer does
    #: (FTDI: 16 ms by default); None sends each frame at once.
    burst_ms: float | None = None
    labels_path: str | None = None
    adc: AdcConfig = field(default_factory=AdcConfig)
    #: What the labels file's meta says about the scenario (name, script, …).
    scenario_meta: dict[str, Any] = field(default_factory=dict)
    #: Time scale: the device clock runs this many times faster than the wall clock (soak tests: a
    #: day in minutes). The frames are the same at any speed; the rate reported stays nominal.
    speed: float = 1.0
    #: Stream and start the hand at the host's first command, not at boot (see the module docstring).
    wait_for_host: bool = False

    def __post_init__(self) -> None:
        if not rate_supported(self.rate):
            raise ValueError(f"rate {self.rate} is not a whole number of Hz from {RATE_MIN} to {RATE_MAX}")
        if not 0 <= self.clock_start_us < _WRAP:
            raise ValueError("clock_start_us must be in 0 .. 2^32-1")
        if self.fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}")
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {tuple(UNITS)}")
        for name in ("corrupt", "drop"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be a probability between 0 and 1")
        if not (self.speed > 0 and math.isfinite(self.speed)):
            raise ValueError("speed must be a positive number")


def samples_per_block(dt_us: int) -> int:
    """Up to 10 samples per block, and no sample waits 10 ms or more for its block to be sent."""
    return max(1, min(BLOCK_MAX_SAMPLES, BLOCK_MAX_WAIT_US // dt_us))


@dataclass
class Counters:
    blocks: int = 0
    samples: int = 0
    blocks_dropped: int = 0  # --drop
    writes_lost: int = 0  # stalled
    garbage_bursts: int = 0
    skipped: int = 0  # conversions skipped after the process was suspended
    commands: int = 0


class Firmware:
    """The device: owns the ADC, the sample clock, the link and the command loop."""

    def __init__(self, cfg: FirmwareConfig, player: Player, link: Link,
                 clock_ns: Callable[[], int] = time.monotonic_ns) -> None:
        self.cfg = cfg
        self.player = player
        self.link = link
        self.clock_ns = clock_ns if cfg.speed == 1.0 else _scaled(clock_ns, cfg.speed)
        self.counters = Counters()
        base = np.random.SeedSequence([int(cfg.seed) & 0xFFFFFFFF, 0xF1A3])
        adc_ss, fault_ss, id_ss = base.spawn(3)
        self._fault_rng = np.random.default_rng(fault_ss)
        id_rng = np.random.default_rng(id_ss)
        self.serial = cfg.serial or f"SIM{int(id_rng.integers(0, 1 << 24)):06X}"
        t0 = player.t0
        self.adc = Adc(lambda t: player.force(t + t0), np.random.default_rng(adc_ss), cfg.adc)
        # Factory calibration: within 0.2 % of the cell's true sensitivity.
        self.scale = self.adc.gain * (1.0 + float(id_rng.normal(0.0, 0.002)))
        self.decoder = CommandDecoder()
        self.streaming = cfg.autostart and not cfg.wait_for_host
        self._waiting_for_host = cfg.wait_for_host
        self._set_rate(cfg.rate, 0)
        # Power-on tare: the mean of ten conversions with nothing on the cell.
        boot = -self.dt_us * np.arange(TARE_READINGS, 0, -1, dtype=np.float64) / 1e6
        counts, _ = self.adc.convert(boot, self.rate)
        self.offset = round(float(counts.mean()))
        self._recent: deque[int] = deque(counts.tolist(), maxlen=TARE_READINGS)
        self.overload = False
        self.seq = 0
        self._block: list[int] = []
        self._block_t0 = 0
        self._block_over = False
        self._tared_pending = True
        self._mark_pending = False
        self._boot_ns = 0
        self._next_labels_ns = 0
        self._labels_written = -1
        self._labels_failed = False
        self._next_garbage_ns: int | None = None
        self._held: list[bytes] = []  # output waiting for the next burst (burst_ms)
        self._next_burst_ns: int | None = None
        self.stopping = False
        link.on_connect = self._on_connect
        # Faster than real time, the output queue alone holds as much wall time as the queue and the
        # pty's own buffer do at speed 1 (about 4 s at 1 kHz): a reader's scheduling hiccup (another
        # process taking the core) lasts as long in wall time whatever the speed.
        if cfg.speed > 1.0:
            link.out_max = int((link.out_max + PTY_BUFFER_BYTES) * cfg.speed)

    # ---------------------------------------------------------------------------------------------
    # Sample clock
    # ---------------------------------------------------------------------------------------------
    def _set_rate(self, rate: int, start_us: int) -> None:
        """Convert at ``rate`` from now on; the first conversion ends one interval after ``start_us``."""
        self.rate = rate
        self.dt_us = 1_000_000 // rate
        self.per_block = samples_per_block(self.dt_us)
        self.next_us = start_us + self.dt_us  # end of the next conversion (µs since boot)
        self._chunk = max(1, round(CHUNK_S * rate))
        self._buf: list[int] = []
        self._buf_over: list[bool] = []
        self._buf_t0 = self.next_us  # time of _buf[0]
        self._buf_i = 0

    def _refill(self) -> None:
        t = self.next_us + self.dt_us * np.arange(self._chunk, dtype=np.int64)
        counts, over = self.adc.convert(t / 1e6, self.rate)
        self._buf = counts.tolist()
        self._buf_over = over.tolist()
        self._buf_t0 = self.next_us
        self._buf_i = 0

    def _produce(self, now_us: int) -> None:
        """Take every conversion that has ended by ``now_us``; send the blocks that are full."""
        late = now_us - self.next_us
        limit = int(MAX_CATCHUP_US * self.cfg.speed)  # "suspended" is a matter of wall time
        if late > limit:  # suspended for a while: the conversions in between are lost
            skip = (late - limit) // self.dt_us + 1
            self.counters.skipped += skip
            self.next_us += skip * self.dt_us
            self._buf, self._buf_i = [], 0
        while self.next_us <= now_us:
            if self._buf_i >= len(self._buf):
                self._refill()
            i = self._buf_i
            k = min(len(self._buf) - i, (now_us - self.next_us) // self.dt_us + 1)
            counts = self._buf[i:i + k]
            over = self._buf_over[i:i + k]
            t_first = self.next_us
            self._buf_i += k
            self.next_us += k * self.dt_us
            self._recent.extend(counts[-TARE_READINGS:])
            self.overload = over[-1]
            if self.streaming:
                self._add(counts, over, t_first)
            else:
                self.player.pop_marks(self._device_s(self.next_us - self.dt_us))

    def _add(self, counts: list[int], over: list[bool], t_first: int) -> None:
        pos, k, n = 0, len(counts), self.per_block
        while pos < k:
            if not self._block:
                self._block_t0 = t_first + pos * self.dt_us
                self._block_over = False
            take = min(n - len(self._block), k - pos)
            self._block.extend(counts[pos:pos + take])
            if not self._block_over and any(over[pos:pos + take]):
                self._block_over = True
            pos += take
            if len(self._block) >= n:
                self._emit()

    def _emit(self) -> None:
        """Send the current block (if any): flags, sequence numbers, the frame or the text lines."""
        counts = self._block
        if not counts:
            return
        n = len(counts)
        t_last = self._block_t0 + (n - 1) * self.dt_us
        flags = 0
        if self._tared_pending:
            flags |= FLAG_TARED
            self._tared_pending = False
        if self.player.pop_marks(self._device_s(t_last)) or self._mark_pending:
            flags |= FLAG_MARKER
            self._mark_pending = False
        if self._block_over:
            flags |= FLAG_OVERLOAD
        seq = self.seq
        self.seq = (seq + n) & 0xFFFF
        self._block = []
        self.counters.blocks += 1
        self.counters.samples += n
        if self.cfg.drop > 0 and self._fault_rng.random() < self.cfg.drop:
            self.counters.blocks_dropped += 1
            return
        t0 = (self.cfg.clock_start_us + self._block_t0) % _WRAP
        if self.cfg.fmt == "nmtp":
            dt = self.dt_us if self.dt_us <= 0xFFFF else 0  # below 15.3 Hz: one sample, dt 0
            self._send(encode_samples(seq, t0, dt, counts, flags))
        else:
            self._send(self._ascii_lines(counts, t0).encode("ascii"))

    def _ascii_lines(self, counts: list[int], t0_us: int) -> str:
        k = 1.0 / (self.scale * UNITS[self.cfg.unit])
        if self.cfg.fmt == "ascii":
            return "".join(f"{((t0_us + i * self.dt_us) % _WRAP) / 1e6:.6f},{(c - self.offset) * k:.3f}\n"
                           for i, c in enumerate(counts))
        unit = self.cfg.unit
        return "".join(f"{(c - self.offset) * k:.3f} {unit}\n" for c in counts)

    def _device_s(self, elapsed_us: int) -> float:
        return self.player.t0 + elapsed_us / 1e6

    # ---------------------------------------------------------------------------------------------
    # Output
    # ---------------------------------------------------------------------------------------------
    def _stalled(self) -> bool:
        s = self.cfg.stall_after
        if s is None:
            return False
        up = self._uptime_us()
        return up >= s * 1e6 and (self.cfg.stall_for is None or up < (s + self.cfg.stall_for) * 1e6)

    def _send(self, data: bytes) -> None:
        if self._stalled():
            self.counters.writes_lost += 1
            return
        p = self.cfg.corrupt
        if p > 0:
            arr = np.frombuffer(data, dtype=np.uint8).copy()
            hit = self._fault_rng.random(arr.size) < p
            if hit.any():
                arr[hit] ^= self._fault_rng.integers(1, 256, size=int(hit.sum()), dtype=np.uint8)
                data = arr.tobytes()
        self._out(data)

    def _out(self, data: bytes) -> None:
        """To the link, or held for the next burst (``burst_ms``): frame by frame either way, so the
        link drops whole frames when its queue is full."""
        if self.cfg.burst_ms:
            self._held.append(data)
        else:
            self.link.write(data)

    def _release_burst(self, now_ns: int) -> None:
        assert self._next_burst_ns is not None and self.cfg.burst_ms is not None
        if now_ns < self._next_burst_ns:
            return
        held, self._held = self._held, []
        for data in held:
            self.link.write(data)
        period = int(self.cfg.burst_ms * 1e6)
        self._next_burst_ns += max(1, (now_ns - self._next_burst_ns) // period + 1) * period

    def _reply(self, text: str) -> None:
        self._send(encode_response(text) if self.cfg.fmt == "nmtp" else (text + "\n").encode("utf-8"))

    def banner_text(self) -> str:
        return (f"{NAME} fw {FW_VERSION} ready serial={self.serial} adc={adc_name(self.rate)} "
                f"rate={self.rate} scale={self.scale:.3f} offset={self.offset}")

    def _banner(self) -> None:
        text = self.banner_text()
        self._send(encode_banner(text) if self.cfg.fmt == "nmtp" else (text + "\n").encode("utf-8"))

    def _on_connect(self) -> None:
        self.decoder.reset()
        self._banner()

    def _garbage(self) -> None:
        if self._stalled():
            return
        n = int(self._fault_rng.integers(8, 65))
        self._out(self._fault_rng.integers(0, 256, size=n, dtype=np.uint8).tobytes())
        self.counters.garbage_bursts += 1

    # ---------------------------------------------------------------------------------------------
    # Commands
    # ---------------------------------------------------------------------------------------------
    def _uptime_us(self) -> int:
        return (self.clock_ns() - self._boot_ns) // 1000

    def _reading(self) -> float:
        vals = list(self._recent)
        return sum(vals) / len(vals)

    def handle(self, text: str) -> str | None:
        """The reply to one command line (None: nothing to say, e.g. an empty line)."""
        words = text.split()
        if not words:
            return None
        self.counters.commands += 1
        cmd, args = words[0].upper(), words[1:]
        if cmd == "ID" and not args:
            return (f"id name={NAME} fw={FW_VERSION} serial={self.serial} adc={adc_name(self.rate)} "
                    f"rate={self.rate} scale={self.scale:.3f} offset={self.offset}")
        if cmd == "TARE" and not args:
            self.offset = round(self._reading())
            self._tared_pending = True
            return f"ok tare offset={self.offset}"
        if cmd == "CAL":
            return self._cal(args)
        if cmd == "RATE":
            rate = _parse_rate(args)
            if rate is None:
                return "err rate unsupported"
            self._emit()  # the partial block at the old rate goes first
            self._set_rate(rate, max(self._uptime_us(), self.next_us - self.dt_us))
            return f"ok rate={rate}"
        if cmd == "START" and not args:
            self.streaming = True
            return "ok streaming=1"
        if cmd == "STOP" and not args:
            self._emit()  # what was converted before STOP still goes out, before the reply
            self.streaming = False
            return "ok streaming=0"
        if cmd == "STATUS" and not args:
            up = self._uptime_us()
            ls = self.link.stats
            return (f"status streaming={int(self.streaming)} rate={self.rate} seq={self.seq} uptime_us={up} "
                    f"overload={int(self.overload)} temp_c={self.adc.temperature(up / 1e6):.2f} "
                    f"clock_us={(self.cfg.clock_start_us + up) % _WRAP} offset={self.offset} "
                    f"dropped_writes={ls.writes_dropped} dropped_bytes={ls.bytes_dropped + ls.bytes_flushed}")
        if cmd == "MARK" and not args:
            self._mark_pending = True
            return "ok mark"
        return "err unknown command"

    def _cal(self, args: list[str]) -> str:
        try:
            newtons = float(args[0]) if len(args) == 1 else math.nan
        except ValueError:
            newtons = math.nan
        if not (math.isfinite(newtons) and newtons > 0):
            return "err cal needs the applied force in newtons, e.g. CAL 49.03"
        delta = self._reading() - self.offset
        if abs(delta) < 100:  # a few hundredths of a newton: nothing is on the cell
            return "err cal no load on the cell (apply the known force, or TARE first)"
        self.scale = delta / newtons
        return f"ok cal scale={self.scale:.3f}"

    # ---------------------------------------------------------------------------------------------
    # Labels
    # ---------------------------------------------------------------------------------------------
    def write_labels(self, force: bool = False) -> None:
        """Rewrite the labels file (atomically, so a reader never sees half of it)."""
        path = self.cfg.labels_path
        if not path or self._labels_failed:
            return
        n = len(self.player.labels)
        now_ns = self.clock_ns()
        if not force and n == self._labels_written and now_ns < self._next_labels_ns:
            return
        self._next_labels_ns = now_ns + int(1e9 * self.cfg.speed)  # once a wall second at any speed
        self._labels_written = n
        up = self._uptime_us() if self._boot_ns else 0
        meta = {
            **self.cfg.scenario_meta,
            "seed": self.cfg.seed,
            "device": f"{NAME} fw {FW_VERSION} serial={self.serial}",
            "time_base": "device time in s: clock_start_us/1e6 + time since boot (not wrapped at 2^32 us)",
            "clock_start_us": self.cfg.clock_start_us,
            "t_now": self._device_s(up),
        }
        save_labels(path, self.player, meta)

    # ---------------------------------------------------------------------------------------------
    # The loop
    # ---------------------------------------------------------------------------------------------
    def boot(self) -> None:
        """Power on: start the clock and send the banner."""
        self._boot_ns = self.clock_ns()
        self._set_rate(self.rate, 0)
        if self.cfg.garbage_every:
            self._next_garbage_ns = self._boot_ns + int(self.cfg.garbage_every * 1e9)
        if self.cfg.burst_ms:
            self._next_burst_ns = self._boot_ns + int(self.cfg.burst_ms * 1e6)
        self.player.ensure(self.player.t0)
        self.write_labels(force=True)
        self._banner()

    def _next_deadline_us(self, now_us: int) -> int:
        if self.streaming:
            return self.next_us + (self.per_block - len(self._block) - 1) * self.dt_us
        return now_us + int(CHUNK_S * 1e6)

    def run_once(self, max_wait_s: float = 0.25) -> None:
        """One turn of the loop: produce what is due, then wait for the next deadline or a command."""
        now_ns = self.clock_ns()
        now_us = (now_ns - self._boot_ns) // 1000
        self._produce(now_us)
        if self._next_garbage_ns is not None and now_ns >= self._next_garbage_ns:
            self._garbage()
            assert self.cfg.garbage_every is not None
            self._next_garbage_ns += int(self.cfg.garbage_every * 1e9)
        try:
            self.write_labels()
        except OSError as exc:  # a full disk must not stop the device; say so once
            if not self._labels_failed:
                self._labels_failed = True
                print(f"firmware_sim: cannot update {self.cfg.labels_path} ({exc.strerror}); "
                      "labels are no longer written", file=sys.stderr, flush=True)
        if self._next_burst_ns is not None:
            self._release_burst(now_ns)
        wait_us = self._next_deadline_us(now_us) - now_us
        if self._next_garbage_ns is not None:
            wait_us = min(wait_us, (self._next_garbage_ns - now_ns) // 1000)
        if self._next_burst_ns is not None:
            wait_us = min(wait_us, (self._next_burst_ns - now_ns) // 1000)
        data = self.link.poll(min(max(wait_us, 0) / 1e6 / self.cfg.speed, max_wait_s))
        if data:
            for frame in self.decoder.feed(data):
                self._command(frame.text)

    def _command(self, text: str) -> None:
        # Bring the readings up to now first: TARE, CAL and STOP act on the present.
        self._produce((self.clock_ns() - self._boot_ns) // 1000)
        if self._waiting_for_host:
            self._host_ready()
        reply = self.handle(text)
        if reply is not None and not self._stalled():
            self._reply(reply)

    def _host_ready(self) -> None:
        """The host spoke first (``wait_for_host``): the hand starts with the next conversion, and the
        stream with it. Readings computed ahead were computed without the hand: they go."""
        self._waiting_for_host = False
        self._buf, self._buf_over, self._buf_i = [], [], 0
        self.player.begin(self._device_s(self.next_us))
        self.streaming = True

    def run(self) -> None:
        """Boot and loop until :attr:`stopping` is set (by a signal handler)."""
        self.boot()
        while not self.stopping:
            self.run_once()
        self.write_labels(force=True)


def _scaled(clock_ns: Callable[[], int], speed: float) -> Callable[[], int]:
    """``clock_ns`` running ``speed`` times faster from now on: the device's clock under ``--speed``."""
    start = clock_ns()

    def now() -> int:
        return start + int((clock_ns() - start) * speed)

    return now


def _parse_rate(args: list[str]) -> int | None:
    if len(args) != 1:
        return None
    try:
        value = float(args[0])
    except ValueError:
        return None
    if not rate_supported(value):
        return None
    return int(value)


def labels_from_file(path: str | Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Read a labels file written with ``--labels`` (while the simulator runs or after)."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return list(doc["labels"]), dict(doc.get("meta", {}))
