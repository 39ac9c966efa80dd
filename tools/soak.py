#!/usr/bin/env python3
"""Soak: a simulated clinic day at 1 kHz through the real parts, faster than real time.

The simulated device (``python -m firmware_sim --speed X``: its clock runs X times faster than the
wall clock, the frames are the same) streams over a real pseudo-terminal (or ``--tcp``) into the real
reader thread (:class:`~nmt_pressure.link.reader.Monitor`: codec, calibration, compiled core), which hands
every block and event to ``FanOut([LiveRecorder, DashListener, collector])``: the crash-safe CSV
recording with its events sidecar, the dashboard's model (its ring buffer, the live hold statistics and
the Qt bridge whose queued signals this process's main thread receives, as the dashboard's GUI thread
would; no window is built) and a plain list of the events.

While it runs, every simulated ``--every`` minutes (10), the process's resident memory (``VmRSS``) and
its peak (``VmHWM``) are read from /proc/self/status. At the end it checks, and exits 1 if any fails:

* link: samples received = samples the device sent (its own count, printed when it stops), no dropped
  frames, no CRC or framing errors, no reconnects, nothing dropped or skipped inside the simulator;
* recording: one row per sample received, time strictly increasing with no step beyond 1.5 nominal
  intervals, no recorder error;
* events: the events seen live = those the dashboard's GUI thread received over the bridge = those of
  ``nmt_pressure.analyze`` replaying the recording with its own detector configuration = the events
  sidecar (no event lost anywhere);
* ground truth: holds found against the simulator's labels (``--labels``), hold F1 >= 0.97 (the
  detection goal of issue 2) and no hold inside a touch or a stroke; steps, releases and band exits
  are scored too (shown, not checked);
* memory flat: RSS growth after the warm-up (the bounded stores filling: the dashboard's ring, the
  latency window) below ``--max-growth`` MB per simulated hour.

Usage: python tools/soak.py [--hours 8] [--rate 1000] [--speed 60] [--seed 1] [--tcp] [--out DIR]
       python tools/soak.py --quick   (20 simulated minutes, ~30 s; needs an otherwise idle machine)
Run it with QT_QPA_PLATFORM=offscreen where there is no display (it is set if missing).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, Slot

from firmware_sim.firmware import samples_per_block
from nmt_pressure import DetectorConfig, analyze
from nmt_pressure.buildinfo import describe
from nmt_pressure.core.events import Event, Hold
from nmt_pressure.dashboard.model import Bridge, DashListener
from nmt_pressure.io.recording import read_recording
from nmt_pressure.link.calibration import DeviceInfo
from nmt_pressure.link.listeners import FanOut, Listener
from nmt_pressure.link.reader import Monitor
from nmt_pressure.outputs.recorder import LiveRecorder, events_path

PY = sys.executable
_TOOLS = Path(__file__).resolve().parent
#: The dashboard redraws at 60 Hz; its model is read (and its queued signals delivered) as often.
GUI_HZ = 60.0
#: A gap in the recording's time column larger than this many nominal intervals is a lost sample.
GAP_FACTOR = 1.5
#: Hold F1 against the labels must reach the detection goal of issue 2.
HOLD_F1_MIN = 0.97
#: Default bound on memory growth (MB per simulated hour) once the bounded stores are full. Everything
#: that may grow with the day grows per event (~700 events/h, a few hundred bytes each in the monitor's
#: list, the core's holds, this tool's two copies: well under 1 MB/h); a leak of one 8-byte value per
#: sample would be 29 MB/h at 1 kHz, and of one small object per block (360 000 blocks/h) over 10 MB/h.
MAX_GROWTH_MB_PER_H = 4.0
#: The same for ``--quick``: measured over a 16-minute window, one allocator step of 0.5 MB shows as
#: ~2.5 MB/h, hence 6.
QUICK_MAX_GROWTH_MB_PER_H = 6.0
#: The simulator's closing line on stderr: what it sent and what it lost.
_STOPPED = re.compile(r"stopped: (\d+) samples in (\d+) blocks; (\d+) writes .*?; (\d+) blocks dropped "
                      r"by --drop; (\d+) conversions skipped")


def read_status() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB, from /proc/self/status."""
    vals: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                vals[key] = int(rest.split()[0]) / 1024.0  # kB
    return vals["VmRSS"], vals["VmHWM"]


def thread_cpu_s(tid: int | None) -> float:
    """User + system CPU seconds of one thread of this process (0 if it is gone)."""
    if tid is None:
        return 0.0
    try:
        stat = Path(f"/proc/self/task/{tid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Collector(Listener):
    """The events as the reader thread hands them out."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.disconnects: list[str] = []
        self.messages: list[str] = []

    def on_event(self, event: Event) -> None:
        self.events.append(event)

    def on_disconnect(self, reason: str) -> None:
        self.disconnects.append(reason)

    def on_message(self, text: str) -> None:
        self.messages.append(text)


class GuiSide(QObject):
    """What the dashboard's window receives over the bridge (queued signals, this thread)."""

    def __init__(self, bridge: Bridge) -> None:
        super().__init__()
        self.events: list[Event] = []
        self.holds: list[Hold] = []
        self.connects = 0
        q = Qt.ConnectionType.QueuedConnection
        bridge.detected.connect(self.on_event, q)
        bridge.holds.connect(self.on_holds, q)
        bridge.connected.connect(self.on_connected, q)

    @Slot(int, object)
    def on_event(self, gen: int, e: Event) -> None:
        self.events.append(e)

    @Slot(int, object)
    def on_holds(self, gen: int, holds: list[Hold]) -> None:
        self.holds = holds

    @Slot(int, object)
    def on_connected(self, gen: int, info: DeviceInfo) -> None:
        self.connects += 1


@dataclass
class MemSample:
    sim_h: float  # simulated hours since the first sample
    wall_s: float
    rss_mb: float
    hwm_mb: float


@dataclass
class SoakResult:
    hours: float  # simulated, first to last sample
    rate: int
    speed: float
    wall_s: float
    samples: int
    sim_sent: int | None
    sim_writes_dropped: int | None
    sim_skipped: int | None
    sim_cpu_s: float
    proc_cpu_s: float
    reader_cpu_s: float
    stats: dict[str, Any]
    mem: list[MemSample]
    warmup_h: float
    growth_mb_per_h: float | None
    peak_mb: float
    recording_rows: int
    max_step_s: float
    time_increasing: bool
    csv_bytes: int
    sidecar_bytes: int
    events_live: int
    kinds: dict[str, int]
    equal: dict[str, bool]
    truth: dict[str, Any]
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    workdir: Path | None = None  # the recording, labels and simulator log (kept if asked or failed)

    @property
    def ok(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    def rss_at(self, h: float) -> MemSample | None:
        """The memory sample taken when the simulated day passed ``h`` hours."""
        for m in self.mem:
            if m.sim_h >= h - 1e-9:
                return m
        return None


def start_sim(args: list[str], err_path: Path) -> tuple[subprocess.Popen[str], str]:
    with open(err_path, "w", encoding="utf-8") as err:
        # `nmt-pressure sim` is python -m firmware_sim (every option is handed over); started so, a
        # long soak survives the `pkill -f firmware_sim` that clears stray simulators before test runs.
        p = subprocess.Popen([PY, "-m", "nmt_pressure", "sim", *args], stdout=subprocess.PIPE, stderr=err,
                             text=True)
    assert p.stdout is not None
    line = p.stdout.readline().strip()
    if not line.startswith("port: "):
        p.kill()
        p.wait(5)
        raise RuntimeError(f"the simulator did not print its port (got {line!r}): "
                           f"{err_path.read_text(errors='replace')}")
    return p, line[len("port: "):]


def growth_per_hour(mem: list[MemSample], warmup_h: float) -> float | None:
    """RSS growth (MB per simulated hour): median of the last quarter after the warm-up minus that of
    the first quarter, over the time between their middles. Medians, so that one allocator step (an
    arena taken or given back) does not pass for a trend."""
    pts = [m for m in mem if m.sim_h >= warmup_h]
    if len(pts) < 4:
        return None
    t0, t1 = pts[0].sim_h, pts[-1].sim_h
    q = (t1 - t0) / 4.0
    first = [m for m in pts if m.sim_h <= t0 + q]
    last = [m for m in pts if m.sim_h >= t1 - q]
    if not first or not last or t1 - t0 <= 0:
        return None
    mid_first = float(np.median([m.sim_h for m in first]))
    mid_last = float(np.median([m.sim_h for m in last]))
    if mid_last <= mid_first:
        return None
    return (float(np.median([m.rss_mb for m in last])) - float(np.median([m.rss_mb for m in first]))) \
        / (mid_last - mid_first)


def score_labels(labels: list[dict[str, Any]], events: list[Event], holds: list[Hold], t_first: float,
                 t_last: float) -> dict[str, Any]:
    """Detections against the simulator's ground truth, with the rules of tools/score_detection.py.

    Only labels of the streamed stretch count: from the first sample (plus a margin for the core's
    filter) to the last one less the longest detection latency, so the day's edges do not count as
    misses; detections are cut to the same stretch."""
    if str(_TOOLS) not in sys.path:
        sys.path.insert(0, str(_TOOLS))
    from score_detection import score_trace  # the project's own matching rules

    lo, hi = t_first + 5.0, t_last - 5.0

    def when(x: dict[str, Any]) -> float:
        return float(x.get("t", x.get("start", 0.0)))

    def end(x: dict[str, Any]) -> float:
        return float(x.get("end", x.get("t_end", when(x))))

    labs = [lab for lab in labels if lo <= when(lab) and end(lab) <= hi]
    ev = [e for e in events if lo <= e.t <= hi]
    hs = [h for h in holds if lo <= h.start and h.end <= hi and h.ended_by != "end_of_data"]
    sc = score_trace(labs, ev, hs, name="soak")
    out: dict[str, Any] = {"labels": len(labs),
                           "holds_labelled": sum(1 for lab in labs if lab["kind"] == "hold"),
                           "holds_found": len(hs), "holds_in_touches": sc["holds_in_touches"]}
    for kind in ("hold", "step", "release", "band_exit"):
        tp, fp, fn = sc[kind]["tp"], sc[kind]["fp"], sc[kind]["fn"]
        out[kind] = {"tp": tp, "fp": fp, "fn": fn,
                     "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None}
    return out


def run_soak(hours: float = 8.0, rate: int = 1000, speed: float = 60.0, seed: int = 1,
             out: Path | None = None, tcp: bool = False, every_min: float = 10.0,
             scenario: str = "session", max_growth: float = MAX_GROWTH_MB_PER_H,
             progress: Callable[[str], None] | None = None) -> SoakResult:
    """Run the soak and its checks; ``out`` keeps the recording, the labels and the simulator's log
    (without it they go to a temporary folder, removed unless a check failed)."""
    keep = out is not None
    work = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="soak_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        res = _soak(work, hours, rate, speed, seed, tcp, every_min, scenario, max_growth,
                    progress or (lambda s: None))
    except BaseException:  # interrupted: a day's recording is a gigabyte, do not leave it behind
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
        raise
    res.workdir = work
    if not keep and res.ok:
        shutil.rmtree(work, ignore_errors=True)
        res.workdir = None
    return res


def _soak(work: Path, hours: float, rate: int, speed: float, seed: int, tcp: bool, every_min: float,
          scenario: str, max_growth: float, say: Callable[[str], None]) -> SoakResult:
    csv = work / "soak.csv"
    for p in (csv, events_path(csv), work / "labels.json", work / "sim.log"):
        p.unlink(missing_ok=True)
    app = QCoreApplication.instance() or QCoreApplication([])
    with contextlib.suppress(OSError):  # the peak (VmHWM) from here on, not from whatever ran before
        Path("/proc/self/clear_refs").write_text("5")

    # --no-autostart: every sample the device sends goes to a reader that is already listening, so
    # the device's own count must equal ours to the sample (START is our first command after ID).
    sim_args = ["--rate", str(rate), "--scenario", scenario, "--seed", str(seed), "--speed", f"{speed:g}",
                "--no-autostart", "--labels", str(work / "labels.json")]
    if tcp:
        sim_args += ["--tcp", "0"]
    sim, port = start_sim(sim_args, work / "sim.log")
    mon: Monitor | None = None
    t_wall0 = time.monotonic()
    try:
        cfg = DetectorConfig(sample_rate=float(rate))
        recorder = LiveRecorder(csv, cfg, source=port)
        bridge = Bridge()
        dash = DashListener(cfg, bridge)
        gui = GuiSide(bridge)
        collector = Collector()
        fan = FanOut([recorder, dash, collector])
        mon = Monitor(port, cfg, fan, fmt="nmtp")
        dash.source = mon
        # The bounded stores fill first (the dashboard's ring, the monitor's latency window): memory
        # may grow until then by design, so the growth is measured after it.
        blocks_s = rate / samples_per_block(1_000_000 // rate)
        warmup_h = max(dash.ring.capacity / rate, (mon.stats.latencies_s.maxlen or 0) / blocks_s) / 3600.0
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t_wall0 = time.monotonic()  # the run itself, from the reader's start
        mon.start()
        mon.send("START")
        mem, failure = _watch(app, mon, dash, sim, hours * 3600.0, every_min * 60.0, t_wall0, say)
        # The day is over: the device stops streaming (what it converted goes out first), and once
        # nothing more arrives the monitor stops, closes the last hold and the recorder syncs.
        mon.send("STOP")
        quiet_since, n_seen = time.monotonic(), mon.stats.samples
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
            if mon.stats.samples != n_seen:
                quiet_since, n_seen = time.monotonic(), mon.stats.samples
            elif time.monotonic() - quiet_since > 0.3:
                break
        reader_cpu = thread_cpu_s(mon._thread.native_id if mon._thread is not None else None)
    finally:
        if mon is not None:
            mon.stop()
            mon.join(5.0)
        wall = time.monotonic() - t_wall0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        sim_cpu = _end(sim)
    assert mon is not None
    mon.finish()
    dash.flush_holds()
    fan.close()
    for _ in range(50):  # the last queued signals
        app.processEvents()
        if len(gui.events) >= len(mon.events):
            break
        time.sleep(0.01)
    peak = read_status()[1]  # before the verification below reads the whole recording into memory
    proc_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)

    log = (work / "sim.log").read_text(errors="replace")
    m = _STOPPED.search(log)
    sim_sent = int(m.group(1)) if m else None
    sim_wdrop = int(m.group(3)) if m else None
    sim_skip = int(m.group(5)) if m else None
    st = mon.summary()
    n = mon.stats.samples

    say("verifying the recording ...")
    rec = read_recording(csv)
    t = rec.t
    dt = np.diff(t)
    increasing = bool(dt.size == 0 or dt.min() > 0)
    max_step = float(dt.max()) if dt.size else 0.0
    rcfg = DetectorConfig(**json.loads(rec.metadata["detector_config"]))
    replayed = [e.to_dict() for e in analyze(t, rec.force_n, rcfg).events]
    live = [e.to_dict() for e in mon.events]
    sidecar = [json.loads(line) for line in events_path(csv).read_text().splitlines() if line.strip()]
    side_events = [e for e in sidecar if e.get("kind") not in ("reconnect", "marker")]
    equal = {
        "collector": [e.to_dict() for e in collector.events] == live,
        "dashboard (bridge)": [e.to_dict() for e in gui.events] == live,
        "replay": replayed == live,
        "sidecar": side_events == live,
        "dashboard holds": [h.to_dict() for h in gui.holds] == [h.to_dict() for h in mon.detector.holds],
    }
    t_first_rec = float(t[0]) if t.size else 0.0
    t_last_rec = float(t[-1]) if t.size else 0.0
    try:
        labels = json.loads((work / "labels.json").read_text())["labels"]
    except (OSError, ValueError, KeyError):
        labels = []
    truth = score_labels(labels, mon.events, list(mon.detector.holds), t_first_rec, t_last_rec)
    kinds: dict[str, int] = {}
    for e in mon.events:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    growth = growth_per_hour(mem, warmup_h)

    res = SoakResult(
        hours=(t_last_rec - t_first_rec) / 3600.0, rate=rate, speed=speed, wall_s=wall, samples=n,
        sim_sent=sim_sent, sim_writes_dropped=sim_wdrop, sim_skipped=sim_skip, sim_cpu_s=sim_cpu,
        proc_cpu_s=proc_cpu, reader_cpu_s=reader_cpu, stats=st, mem=mem, warmup_h=warmup_h,
        growth_mb_per_h=growth, peak_mb=peak, recording_rows=int(t.size), max_step_s=max_step,
        time_increasing=increasing, csv_bytes=csv.stat().st_size,
        sidecar_bytes=events_path(csv).stat().st_size, events_live=len(live), kinds=kinds, equal=equal,
        truth=truth)
    c = res.checks
    c.append(("ran to the end", failure is None, failure or f"{res.hours:.3f} h simulated"))
    c.append(("samples received = sent by the device", sim_sent == n, f"{n:,} of {sim_sent}"))
    c.append(("dropped frames 0", st["dropped"] == 0, str(st["dropped"])))
    c.append(("CRC / framing errors 0", st["crc_errors"] == 0 and st["framing_errors"] == 0,
              f"{st['crc_errors']} / {st['framing_errors']}"))
    c.append(("reconnects 0", st["reconnects"] == 0 and not collector.disconnects,
              f"{st['reconnects']} ({'; '.join(collector.disconnects[:2])})"))
    c.append(("simulator kept up (no write dropped, no conversion skipped)",
              sim_wdrop == 0 and sim_skip == 0, f"{sim_wdrop} writes dropped, {sim_skip} skipped"))
    c.append(("recording rows = samples", res.recording_rows == n and recorder.rows == n
              and recorder.failed is None, f"{res.recording_rows:,} ({recorder.failed or 'no error'})"))
    c.append(("recording time increasing, no gap", increasing and max_step <= GAP_FACTOR / rate,
              f"largest step {max_step * 1e3:.3f} ms"))
    for name, ok in equal.items():
        c.append((f"live events = {name}", ok, f"{len(mon.detector.holds)} holds" if "holds" in name
                  else f"{len(live)} events"))
    c.append(("dashboard saw every sample", dash.samples == n and dash.ring.total == n,
              f"{dash.samples:,}"))
    hold_f1 = truth["hold"]["f1"]
    c.append((f"holds vs labels: F1 >= {HOLD_F1_MIN}", hold_f1 is not None and hold_f1 >= HOLD_F1_MIN,
              f"{truth['hold']['tp']} of {truth['holds_labelled']} labelled, {truth['holds_found']} found"))
    c.append(("no hold in a touch or stroke", truth["holds_in_touches"] == 0, str(truth["holds_in_touches"])))
    c.append((f"memory flat (< {max_growth:g} MB/h after {warmup_h * 60:.0f} min warm-up)",
              growth is not None and growth < max_growth,
              "not enough samples" if growth is None else f"{growth:+.2f} MB/h"))
    return res


def _watch(app: QCoreApplication, mon: Monitor, dash: DashListener, sim: subprocess.Popen[str],
           target_s: float, every_s: float, t_wall0: float, say: Callable[[str], None]
           ) -> tuple[list[MemSample], str | None]:
    """Play the dashboard's GUI thread until ``target_s`` of device time have arrived; read the memory
    every ``every_s`` of device time. Returns the memory samples and why it ended early, if it did."""
    mem: list[MemSample] = []
    t_first: float | None = None
    next_mem = 0.0
    while True:
        app.processEvents()  # the bridge's queued signals
        # What the dashboard's redraw reads: the plot window, the latest force, the open hold.
        dash.ring.latest(30.5)
        dash.ring.latest(0.3)
        dash.open_hold()
        last = dash.ring.last_t
        if last is not None:
            if t_first is None:  # the ring (4 min at 1 kHz) still holds the very first sample
                t_first = float(dash.ring.latest(1e9)[0][0])
            elapsed = last - t_first
            while elapsed >= next_mem:
                rss, hwm = read_status()
                mem.append(MemSample(next_mem / 3600.0, time.monotonic() - t_wall0, rss, hwm))
                say(f"{next_mem / 3600.0:5.2f} h simulated, {time.monotonic() - t_wall0:7.1f} s wall, "
                    f"RSS {rss:6.1f} MB, samples {mon.stats.samples:,}, dropped {mon.stats.dropped}")
                next_mem += every_s
            if elapsed >= target_s:
                return mem, None
        if mon.fatal or not mon.running:
            return mem, f"the monitor stopped: {mon.fatal or 'thread ended'}"
        if sim.poll() is not None:
            return mem, f"the simulator exited ({sim.returncode})"
        if time.monotonic() - t_wall0 > 30.0 and mon.stats.samples == 0:
            return mem, "no samples within 30 s"
        time.sleep(1.0 / GUI_HZ)


def _end(sim: subprocess.Popen[str], timeout: float = 10.0) -> float:
    """Stop the simulator (SIGTERM: it prints its counts) and return its CPU seconds."""
    if sim.poll() is not None:
        return 0.0  # already reaped, rusage gone
    sim.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(sim.pid, os.WNOHANG)
        if pid:
            sim.returncode = os.waitstatus_to_exitcode(status)
            return float(ru.ru_utime + ru.ru_stime)
        if time.monotonic() > deadline:
            sim.kill()
            deadline = time.monotonic() + timeout
        time.sleep(0.02)


def _f1(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def report(r: SoakResult, command: str) -> str:
    """The figures, as the table docs/BENCHMARKS.md shows, and every check."""
    tr = r.truth
    factor = r.hours * 3600 / r.wall_s if r.wall_s else 0.0
    rows: list[tuple[str, str]] = []
    sent = f"{r.sim_sent:,}" if r.sim_sent is not None else "(the device's count is missing)"
    rows.append(("samples received / sent by the device", f"{r.samples:,} / {sent}"))
    st = r.stats
    rows.append(("dropped frames, CRC errors, framing errors, reconnects",
                 f"{st['dropped']}, {st['crc_errors']}, {st['framing_errors']}, {st['reconnects']}"))
    if r.mem:
        first = r.rss_at(1.0) or r.mem[0]
        last = r.mem[-1]
        rows.append((f"RSS at {first.sim_h:.3g} h / at {last.sim_h:.3g} h",
                     f"{first.rss_mb:.1f} MB / {last.rss_mb:.1f} MB"))
    rows.append(("peak RSS (VmHWM) during the run", f"{r.peak_mb:.1f} MB"))
    growth = "n/a" if r.growth_mb_per_h is None else f"{r.growth_mb_per_h:+.2f} MB per simulated hour"
    rows.append((f"RSS growth after the {r.warmup_h * 60:.0f} min warm-up (last vs first quarter)", growth))
    rows.append(("recording", f"{r.recording_rows:,} rows (= samples: {r.recording_rows == r.samples}); time "
                              f"increasing: {r.time_increasing}, largest step {r.max_step_s * 1e3:.3f} ms"))
    if r.hours:
        rows.append(("disk per simulated hour", f"{r.csv_bytes / 1e6 / r.hours:.0f} MB CSV + "
                                                f"{r.sidecar_bytes / 1e3 / r.hours:.0f} kB events.jsonl"))
    differ = [k for k, v in r.equal.items() if not v]
    kinds = ", ".join(f"{n} {k}" for k, n in r.kinds.items())
    same = "all equal" if not differ else "DIFFER: " + ", ".join(differ)
    rows.append(("events live = dashboard = replay = sidecar", f"{r.events_live} ({kinds}); {same}"))
    f1 = {k: _f1(tr[k]["f1"]) for k in ("hold", "step", "release", "band_exit")}
    rows.append(("holds vs the simulator's labels",
                 f"{tr['hold']['tp']} of {tr['holds_labelled']} found, {tr['hold']['fp']} extra; F1 hold "
                 f"{f1['hold']}, step {f1['step']}, release {f1['release']}, band exit {f1['band_exit']}; "
                 f"holds in touches/strokes {tr['holds_in_touches']}"))
    if r.wall_s:
        rows.append(("CPU: simulator / soak process (its reader thread)",
                     f"{r.sim_cpu_s / r.wall_s:.0%} / {r.proc_cpu_s / r.wall_s:.0%} "
                     f"({r.reader_cpu_s / r.wall_s:.0%}) of one core"))
    hourly = [m for m in r.mem if abs(m.sim_h - round(m.sim_h)) < 1e-9 or m is r.mem[-1]]
    lines = [
        f"command: {command}",
        f"simulated {r.hours:.3f} h at {r.rate} Hz in {r.wall_s:.0f} s wall: {factor:.1f}x real time "
        f"(--speed {r.speed:g})",
        "",
        "| | measured |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows),
        "",
        "RSS by simulated hour (MB): " + "  ".join(f"{m.sim_h:.3g} h {m.rss_mb:.1f}" for m in hourly),
        "",
        "checks:",
        *(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}" for name, ok, detail in r.checks),
    ]
    if r.workdir is not None:
        lines.append(f"files: {r.workdir}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--hours", type=float, default=8.0, help="simulated hours [8]")
    ap.add_argument("--rate", type=int, default=1000, help="sample rate (Hz) [1000]")
    ap.add_argument("--speed", type=float, default=60.0,
                    help="the simulator's time scale: simulated seconds per wall second; 60 leaves room "
                         "for other work on 2 cores, ~150 is the ceiling on an idle machine [60]")
    ap.add_argument("--seed", type=int, default=1, help="the simulator's seed [1]")
    ap.add_argument("--scenario", default="session", help="the simulator's scenario [session]")
    ap.add_argument("--tcp", action="store_true", help="TCP on 127.0.0.1 instead of a pseudo-terminal")
    ap.add_argument("--every", type=float, default=10.0, metavar="MIN",
                    help="read the memory every MIN simulated minutes [10]")
    ap.add_argument("--max-growth", type=float, default=MAX_GROWTH_MB_PER_H, metavar="MB",
                    help=f"memory growth per simulated hour that fails the soak [{MAX_GROWTH_MB_PER_H:g}]")
    ap.add_argument("--out", type=Path, help="keep the recording, labels and simulator log here")
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    ap.add_argument("--quick", action="store_true",
                    help="20 simulated minutes at 40x (about 30 s on an idle machine), memory read every "
                         "minute, with the monitor's latency window cut to 3000 blocks so that this short "
                         "run reaches the steady state; the checks are the same (it was tests/test_soak.py "
                         "until issue 12: it needs an idle machine, so it is a benchmark)")
    a = ap.parse_args(argv)
    print(describe())  # the installed package, and which of its implementations runs
    if a.quick:
        a.hours, a.speed, a.every, a.max_growth = 20.0 / 60.0, 40.0, 1.0, QUICK_MAX_GROWTH_MB_PER_H
        import nmt_pressure.link.reader

        # The monitor keeps the latencies of its last 100 000 blocks (17 simulated minutes at 1 kHz),
        # memory growing by design until then: a shorter window lets a short run see the steady state.
        nmt_pressure.link.reader.LATENCY_KEEP = 3000
    command = "python tools/soak.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lock = threading.Lock()

    def say(text: str) -> None:
        if not a.quiet:
            with lock:
                print(text, file=sys.stderr, flush=True)

    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # so that run_soak's clean-up ends the simulator too

    signal.signal(signal.SIGTERM, interrupted)
    t0 = time.monotonic()
    try:
        res = run_soak(a.hours, a.rate, a.speed, a.seed, a.out, a.tcp, a.every, a.scenario, a.max_growth,
                       say)
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
        return 130
    print(report(res, command.strip()))
    print(f"total wall time, start-up and verification included: {time.monotonic() - t0:.0f} s")
    return 0 if res.ok else 1


if __name__ == "__main__":
    sys.exit(main())
