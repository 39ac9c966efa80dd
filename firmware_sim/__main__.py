"""``python -m firmware_sim``: the simulated load-cell device, on a pseudo-terminal or a TCP port.

The first line on standard output is ``port: /dev/pts/N`` (or ``port: socket://127.0.0.1:PORT``),
flushed at once; open it with pyserial (``serial.serial_for_url(port)``) or ``nmt-pressure monitor
--port PORT``. The device runs until it is killed (SIGTERM or Ctrl-C end it cleanly, status 0).
Usage errors (a bad rate, an unknown scenario, a busy port, a bad script) print one sentence and exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import signal
import sys
from collections.abc import Sequence
from typing import Any

# The number types are the package's (stdlib-only, though importing it loads the package, as the wire
# format below does anyway).
from nmt_pressure.argtypes import integral, number_type, seconds, seed

# Kept light: the hand model, the firmware and the protocol are imported after the arguments are checked.
RATE_MIN, RATE_MAX = 1, 4000  # checked against nmtp's at start
SCENARIOS = ("session", "tppr", "steady", "drift", "idle")
BOARDS = ("sim", "avr")
#: --board sim options the emulated board has no use for, with their defaults.
SIM_ONLY = {"tcp": None, "clock_start_us": 0, "format": "nmtp", "unit": "N", "no_autostart": False,
            "wait_for_host": False, "serial": None, "speed": 1.0, "corrupt": 0.0, "garbage_every": None,
            "drop": 0.0, "stall_after": None, "stall_for": None, "burst_ms": None}
AVR_ONLY = {"eeprom": None, "dout_stuck_at": None, "dout_stuck_for": None, "rate_pin_tied": False}
#: Highest --speed: far beyond what a pty or a reader takes at 4 kHz, but keeps the clock arithmetic sane.
SPEED_MAX = 10_000.0
PROG = "python -m firmware_sim"
EXIT_USAGE = 2

EPILOG = """\
scenarios:
  session  a mixed therapy session (holds, fast and slow steps, drift, releases - some to light
           contact -, departures, resting offsets, touches, strokes); first hold released within
           20 s; the same session as firmware_sim.traces.generate(seed)
  tppr     trigger point pressure release: slow ramp to a barrier, hold, tissue gives, onto the next
           barrier (eased slowly twice, a quick step once); 3x
  steady   one long steady hold
  drift    holds that drift slowly out of their band
  idle     nothing on the cell
  Sessions repeat for ever, session k with seed SEED+k.

script (--script FILE; .json: a list of {"kind": ..., "duration": ..., "to": ...}):
  idle 2 | ramp 1.5 to 40 | hold 6 | drift 4 to 34 | step 0.8 to 45 (or: by +20%) | mark
  ease 4 to 55 (slow step) | depart 3 to 80 swing 0.35 freq 1.2 | release 0.5 (or: to 4, light
  contact) | rest 2 | lift 0.4 | touch 0.5 peak 12 | stroke 4 mean 20 swing 0.4 freq 1
  (one per line, # comments)

commands (nmtp COMMAND frames or text lines ending in \\n):
  ID, TARE, CAL <newtons>, RATE <hz>, START, STOP, STATUS, MARK
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line, as every other user error here: the usage block would bury the sentence.
        text = " ".join(message.split()).rstrip(".")
        self.exit(EXIT_USAGE, f"{self.prog}: error: {text}; see {self.prog} --help.\n")


#: Longest --burst-ms: a latency timer is at most 255 ms on FTDI chips; a second is generous.
BURST_MS_MAX = 1000.0

# The number options, each with the range it accepts: the package's one factory words every refusal
# the same way (the value as typed, then what is accepted), as `nmt-pressure` does.
rate = number_type("a sample rate", "a whole number of Hz", RATE_MIN, RATE_MAX, lo_in=True,
                   convert=integral, example="1000 (an HX711 does 10 or 80)")
#: `nmt-pressure dash --sim-speed` and `drill --sim-speed` take this type too: they set --speed.
speed_factor = number_type("a speed-up of the simulator's clock", "a factor", 0.0, SPEED_MAX, example="10")
probability = number_type("a probability", "a number", 0.0, 1.0, lo_in=True, example="0.01")
noise_n = number_type("a noise level", "a number of newtons", 0.0, lo_in=True, example="0.1")
full_scale = number_type("a full scale", "a number of newtons", 0.0, example="300")
tcp_port = number_type("a TCP port", "a whole number", 0, 65535, lo_in=True, whole=True,
                       example="5555, or 0 to pick a free one")
clock_us = number_type("a 32-bit microsecond count", "a whole number", 0, (1 << 32) - 1, lo_in=True,
                       convert=lambda text: int(text, 0))  # 0x... too: the wrap is easier to see in hex
burst_ms = number_type("a burst period", "a number of ms", 0.0, BURST_MS_MAX,
                       example="16 (an FTDI chip's default)")


def _serial(text: str) -> str:
    # The serial travels in the ID reply as serial=VALUE: a space or '=' would split it.
    if not (0 < len(text) <= 32 and text.isprintable() and not any(c.isspace() or c == "=" for c in text)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a serial number (1 to 32 printable characters, "
                                         "no spaces or '=')")
    return text


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="The simulated load-cell device (nmtp firmware on a pty or TCP).",
                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--board", choices=BOARDS, default="sim",
                   help="sim: the device simulated in Python; avr: the open firmware (firmware/) on an "
                        "emulated ATmega328P with an HX711 (needs avr-gcc and simavr) [sim]")
    p.add_argument("--rate", type=rate, default=None, metavar="HZ",
                   help="sample rate at boot: 10 or 80 (HX711), 250, 500, 1000, 2000 [1000; avr: 80]")
    p.add_argument("--scenario", default=None, metavar="NAME",
                   help=f"what the hand does: {', '.join(SCENARIOS)} [session]")
    p.add_argument("--script", metavar="FILE", help="play a custom sequence instead of a scenario")
    p.add_argument("--seed", type=seed, default=0, help="makes everything deterministic [0]")
    p.add_argument("--tcp", type=tcp_port, metavar="PORT",
                   help="serve on 127.0.0.1:PORT instead of a pseudo-terminal (0 picks a free port)")
    p.add_argument("--labels", metavar="FILE",
                   help="write the ground-truth labels (JSON, device time) and keep it up to date")
    p.add_argument("--clock-start-us", type=clock_us, default=0, metavar="US",
                   help="device clock at boot (µs; e.g. 4294000000 to see the 32-bit wrap soon) [0]")
    p.add_argument("--format", choices=("nmtp", "ascii", "ascii-unit"), default="nmtp",
                   help="nmtp frames, or one reading per line: 't,value' (ascii) or 'value N' (ascii-unit)")
    p.add_argument("--unit", choices=("N", "kg", "g", "lb"), default="N",
                   help="unit of the ASCII formats' values [N]")
    p.add_argument("--no-autostart", action="store_true", help="do not stream until START")
    p.add_argument("--wait-for-host", action="store_true",
                   help="stream, and start the hand (scenario or script), at the host's first command "
                        "(a reader's ID), not at boot: a script that follows a program's prompts (a "
                        "drill) starts when the program is ready, at any --speed")
    p.add_argument("--noise", type=noise_n, default=0.1, metavar="N",
                   help="ADC noise sigma at 1 kHz in newtons (∝ √rate) [0.1]")
    p.add_argument("--full-scale", type=full_scale, default=300.0, metavar="N",
                   help="force at which the 24-bit ADC saturates (overload) [300]")
    p.add_argument("--serial", type=_serial, help="serial number the device reports [derived from the seed]")
    p.add_argument("--speed", type=speed_factor, default=1.0, metavar="X",
                   help="run the device clock X times faster than real time (soak tests); the frames "
                        "and the rate reported are the same, fault timings are device seconds [1]")
    a = p.add_argument_group("the emulated board (--board avr)")
    a.add_argument("--eeprom", metavar="FILE",
                   help="keep the board's EEPROM (calibration, serial, rate) in FILE across runs; a new "
                        "FILE starts with a factory calibration [a fresh one each run]")
    a.add_argument("--rate-pin-tied", action="store_true",
                   help="the HX711 module ties its RATE pin to GND, as most green boards do: 10 samples/s "
                        "whatever the firmware sets")
    a.add_argument("--dout-stuck-at", type=seconds, metavar="S",
                   help="the HX711's DOUT line is stuck high from device time S (a loose wire)")
    a.add_argument("--dout-stuck-for", type=seconds, metavar="S",
                   help="with --dout-stuck-at: it works again after S s [never]")
    f = p.add_argument_group("fault injection")
    f.add_argument("--corrupt", type=probability, default=0.0, metavar="P",
                   help="flip each byte sent with probability P")
    f.add_argument("--garbage-every", type=seconds, metavar="S",
                   help="send a burst of random bytes every S s")
    f.add_argument("--drop", type=probability, default=0.0, metavar="P",
                   help="drop each SAMPLES block with probability P (sequence gaps)")
    f.add_argument("--stall-after", type=seconds, metavar="S",
                   help="stop sending anything after S s but stay connected")
    f.add_argument("--stall-for", type=seconds, metavar="S",
                   help="with --stall-after: the stall ends after S s and the device streams again "
                        "[never ends]")
    f.add_argument("--burst-ms", type=burst_ms, metavar="MS",
                   help="hold the output and send it in bursts every MS ms, as a USB-serial chip's "
                        "latency timer does (FTDI: 16)")
    return p


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    if args.script is not None and args.scenario is not None:
        return _fail("--scenario and --script both say what the hand does; give one.")
    if args.stall_for is not None and args.stall_after is None:
        return _fail("--stall-for says how long a stall lasts: add --stall-after S.")
    if args.board == "avr":
        clash = next((k for k, v in SIM_ONLY.items() if getattr(args, k) != v), None)
    else:
        clash = next((k for k, v in AVR_ONLY.items() if getattr(args, k) != v), None)
    if clash is not None:
        other = "sim" if args.board == "avr" else "avr"
        return _fail(f"--{clash.replace('_', '-')} is an option of --board {other}; leave it out with "
                     f"--board {args.board}.")
    if args.dout_stuck_for is not None and args.dout_stuck_at is None:
        return _fail("--dout-stuck-for says how long DOUT is stuck: add --dout-stuck-at S.")
    args.scenario = args.scenario or "session"
    if args.script is None and args.scenario not in SCENARIOS:
        return _fail(f"unknown scenario {args.scenario!r} for --scenario; use one of {', '.join(SCENARIOS)} "
                     "or --script FILE.")

    from firmware_sim.adc import AdcConfig
    from firmware_sim.firmware import Firmware, FirmwareConfig
    from firmware_sim.link import Link, PtyLink, TcpLink
    from firmware_sim.scenarios import Player, ScriptError, planner_for
    from nmt_pressure.protocol import nmtp

    assert (nmtp.RATE_MIN, nmtp.RATE_MAX) == (RATE_MIN, RATE_MAX), "firmware_sim and nmtp disagree"
    try:
        planner = planner_for(args.scenario, args.script)
    except ScriptError as exc:
        return _fail(f"invalid --script: {exc}.")
    scenario_meta: dict[str, Any] = {"scenario": "script" if args.script else args.scenario}
    if args.script:
        scenario_meta["script"] = args.script
    if args.board == "avr":
        return _run_avr(args, planner, scenario_meta)
    if args.rate is None:
        args.rate = 1000
    cfg = FirmwareConfig(
        rate=args.rate, seed=args.seed, clock_start_us=args.clock_start_us, fmt=args.format, unit=args.unit,
        autostart=not args.no_autostart, serial=args.serial, corrupt=args.corrupt,
        garbage_every=args.garbage_every, drop=args.drop, stall_after=args.stall_after,
        stall_for=args.stall_for, burst_ms=args.burst_ms,
        labels_path=args.labels, adc=AdcConfig(full_scale_n=args.full_scale, noise_n=args.noise),
        scenario_meta=scenario_meta, speed=args.speed, wait_for_host=args.wait_for_host)
    player = Player(planner, seed=args.seed, t0=args.clock_start_us / 1e6, waiting=args.wait_for_host)

    link: Link
    if args.tcp is not None:
        try:
            link = TcpLink(args.tcp)
        except OSError as exc:
            why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be opened ({exc.strerror})"
            return _fail(f"TCP port {args.tcp} on 127.0.0.1 {why}; pick another port, "
                         "or --tcp 0 for a free one.")
    else:
        try:
            link = PtyLink()
        except OSError as exc:
            return _fail(f"cannot open a pseudo-terminal ({exc.strerror}); try --tcp 0 instead.")

    fw = Firmware(cfg, player, link)
    try:
        fw.boot()
    except OSError as exc:
        link.close()
        return _fail(f"cannot write the labels file --labels {args.labels} ({exc.strerror}); check the path.")

    def _stop(signum: int, frame: Any) -> None:
        fw.stopping = True

    previous = {}
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _stop)
        old_wakeup = signal.set_wakeup_fd(link.wake_fd)
    except ValueError:  # not the main thread (embedded use): the caller stops us
        old_wakeup = None
    try:
        print(f"port: {link.url}", flush=True)
        print(f"{PROG}: {fw.banner_text()}; scenario {scenario_meta['scenario']}, seed {args.seed}, "
              f"{args.format} on {link.url}", file=sys.stderr, flush=True)
    except BrokenPipeError:
        pass
    try:
        while not fw.stopping:
            fw.run_once()
    finally:
        fw.write_labels(force=True)
        link.close()
        if old_wakeup is not None:
            signal.set_wakeup_fd(old_wakeup)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        c, ls = fw.counters, link.stats
        with contextlib.suppress(BrokenPipeError, ValueError):
            print(f"{PROG}: stopped: {c.samples} samples in {c.blocks} blocks; {ls.writes_dropped} writes "
                  f"({ls.bytes_dropped + ls.bytes_flushed} bytes) dropped while nobody read; "
                  f"{c.blocks_dropped} blocks dropped by --drop; {c.skipped} conversions skipped "
                  f"(fell behind); {ls.connects} connection(s)",
                  file=sys.stderr, flush=True)
    return 0


def _run_avr(args: argparse.Namespace, planner: Any, scenario_meta: dict[str, Any]) -> int:
    """--board avr: the firmware binary on the emulated ATmega328P (firmware_sim.avr)."""
    from firmware_sim.adc import AdcConfig
    from firmware_sim.avr import AvrConfig, BoardError, run_board
    from firmware_sim.scenarios import Player

    if args.rate is not None and args.rate not in (10, 80):
        return _fail(f"the HX711 converts at 10 or 80 samples/s, not {args.rate}: use --rate 10 or --rate 80 "
                     "with --board avr.")
    cfg = AvrConfig(rate=80 if args.rate is None else args.rate, seed=args.seed, eeprom=args.eeprom,
                    labels_path=args.labels, adc=AdcConfig(full_scale_n=args.full_scale, noise_n=args.noise),
                    scenario_meta={**scenario_meta, "board": "avr"}, stuck_at=args.dout_stuck_at,
                    stuck_for=args.dout_stuck_for, rate_pin_tied=args.rate_pin_tied)

    def announce(port: str, what: str) -> None:
        try:
            print(f"port: {port}", flush=True)
            print(f"{PROG}: {what}; scenario {scenario_meta['scenario']}, seed {args.seed}, nmtp on {port}",
                  file=sys.stderr, flush=True)
        except BrokenPipeError:
            pass

    try:
        return run_board(cfg, Player(planner, seed=args.seed), announce)
    except BoardError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot write the labels file --labels {args.labels} ({exc.strerror}); check the path.")


if __name__ == "__main__":
    sys.exit(main())
