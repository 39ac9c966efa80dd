"""``nmt-pressure dash``: start the dashboard on a port, the built-in simulator or a recording.

Errors a user can cause end before any window opens, in one sentence (the CLI prints it and exits
with 2): no display, a bad port, a bad recording, bad band settings. ``--duration`` makes an
unattended run: after S seconds the window is grabbed to ``--screenshot`` and the session's counters,
events and the display's fps and CPU go to ``--summary-json``. A run nobody sits at (``--screenshot``,
or Qt's offscreen platform) neither reads nor writes the remembered settings: see :func:`unattended`.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The interpreter's thread switch interval while the dashboard runs (s; Python's default is 0.005).
READER_SWITCH_S = 0.001
#: Qt platform plugins that need no display server.
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")
#: Of those, the ones whose windows nobody can see or touch (the others drive a real screen: a kiosk's
#: framebuffer, a VNC viewer).
UNSEEN_PLATFORMS = ("offscreen", "minimal")
NO_DISPLAY = ("no display to show the dashboard on (neither DISPLAY nor WAYLAND_DISPLAY is set); use "
              "`nmt-pressure monitor --port PORT` for the terminal view, or set "
              "QT_QPA_PLATFORM=offscreen for an unattended run with --duration and --screenshot.")


class DashError(Exception):
    """A user error found before the window opens (one sentence)."""


def display_problem(env: dict[str, str] | None = None, platform: str | None = None) -> str | None:
    """Why Qt could not open a window here (one sentence), or None if it can.

    Qt ends the process (abort, core dump) when its platform plugin finds no display, so this is
    decided from the environment before Qt is started.
    """
    env = dict(os.environ) if env is None else env
    platform = sys.platform if platform is None else platform
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    if qpa in HEADLESS_PLATFORMS:
        return None
    if platform in ("darwin", "win32", "cygwin"):
        return None
    if qpa == "wayland":
        return None if env.get("WAYLAND_DISPLAY") else NO_DISPLAY
    if not qpa and env.get("WAYLAND_DISPLAY"):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return NO_DISPLAY
    if display.startswith(":"):  # a local X server has a socket; without it Qt would abort
        num = display[1:].split(".", 1)[0]
        if num.isdigit() and not os.path.exists(f"/tmp/.X11-unix/X{num}"):
            return (f"no X server at DISPLAY={display} (no /tmp/.X11-unix/X{num}); start one, or use "
                    "`nmt-pressure monitor --port PORT` for the terminal view, or set "
                    "QT_QPA_PLATFORM=offscreen for an unattended run.")
    return None


#: What Debian/Ubuntu call the libraries Qt's X11 plugin needs beyond X itself.
XCB_PACKAGES = ("libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 "
                "libxkbcommon-x11-0")


def xcb_problem() -> str | None:
    """Why Qt's X11 plugin would not load (a system library missing), or None.

    Qt aborts the process when its platform plugin cannot be loaded; loading the plugin's shared
    library ourselves first turns that into a sentence naming what to install.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        from PySide6.QtCore import QLibraryInfo

        plugin = os.path.join(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath), "platforms",
                              "libqxcb.so")
    except ImportError:
        return None
    if not os.path.exists(plugin):
        return None
    try:
        ctypes.CDLL(plugin, mode=os.RTLD_LAZY)
    except OSError as exc:
        found = re.search(r"(lib[\w.+-]+\.so[\w.]*): cannot open", str(exc))
        missing = found.group(1) if found else str(exc)
        return (f"Qt cannot open the X display because a system library of its X11 plugin is missing "
                f"({missing}); install it (Debian/Ubuntu: sudo apt install {XCB_PACKAGES}), or use "
                "`nmt-pressure monitor` meanwhile.")
    return None


def has_screen(env: dict[str, str] | None = None) -> bool:
    """A display a person can look at (not merely one Qt can render to, like ``offscreen``)."""
    env = dict(os.environ) if env is None else env
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    if qpa in HEADLESS_PLATFORMS or display_problem(env) is not None:
        return False
    return not (_uses_xcb(env) and xcb_problem())


def _qt_app() -> Any:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("nmt-pressure dashboard")
        app.setOrganizationName("nmt_pressure")
    return app


def screen_problem() -> str | None:
    """Why no window can be opened here (one sentence), or None: display, then the X11 plugin."""
    problem = display_problem()
    if problem is None and _uses_xcb():
        problem = xcb_problem()
    return problem


def unattended(args: argparse.Namespace, env: dict[str, str] | None = None) -> bool:
    """Whether nobody sits at this run's window: a ``--screenshot`` run, or a platform nobody sees.

    Such a run neither reads nor writes the remembered settings. Restored onto Qt's small offscreen
    screen, the remembered geometry shrinks the window, and saved back it would open every later
    window cramped (Record, Mute and Drill pushed into an overflow menu); the band, unit or mute
    remembered from a person's session would change what the screenshot shows.
    """
    env = dict(os.environ) if env is None else env
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    return bool(getattr(args, "screenshot", None)) or qpa in UNSEEN_PLATFORMS


def _uses_xcb(env: dict[str, str] | None = None) -> bool:
    env = dict(os.environ) if env is None else env
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    return sys.platform.startswith("linux") and (qpa == "xcb" or (not qpa and bool(env.get("DISPLAY"))
                                                                   and not env.get("WAYLAND_DISPLAY")))


def run_dash(args: argparse.Namespace, cfg: Any, band_override: dict[str, Any] | None,
             replay_rec: Any = None, replay_cfg: Any = None) -> int:
    """Open the dashboard as the parsed arguments say; returns the exit status."""
    problem = screen_problem()
    if problem:
        raise DashError(problem)
    from nmt_pressure.extras import MissingExtraError, require

    for module in ("PySide6", "pyqtgraph"):  # the `gui` extra
        try:
            require(module, "gui", "`dash`", instead="use `nmt-pressure monitor`")
        except MissingExtraError as exc:
            raise DashError(str(exc)) from None

    if args.lsl:  # a missing liblsl is the user's to fix: say so before the window opens
        from nmt_pressure.outputs.lsl import LslError, load_pylsl

        try:
            load_pylsl()
        except LslError as exc:
            raise DashError(str(exc)) from None

    from PySide6.QtCore import QTimer

    from nmt_pressure.dashboard.window import DashboardWindow, settings_for
    from nmt_pressure.outputs.live import _write_summary

    _quiet_qt_messages()
    # The reader thread waits for the interpreter while the GUI thread runs Python (a frame, a
    # readout): ask the running thread to hand it over after 1 ms instead of 5, so a block's latency
    # does not depend on what the window is doing.
    sys.setswitchinterval(READER_SWITCH_S)
    app = _qt_app()
    # Unattended: a scratch store that starts empty and is thrown away (see unattended()).
    scratch = tempfile.TemporaryDirectory(prefix="nmt-pressure-dash-") if unattended(args) else None
    settings = settings_for(os.path.join(scratch.name, "settings.ini") if scratch is not None
                            else os.environ.get("NMT_PRESSURE_SETTINGS") or None)

    def forget_scratch() -> None:
        if scratch is not None:
            settings.sync()  # written now, into the scratch folder, so nothing is left to write later
            scratch.cleanup()

    win = DashboardWindow(cfg, settings=settings, window_s=args.window, goal_s=args.goal,
                          unit=args.display_unit, fmt=args.fmt, baud=args.baud,
                          band_override=band_override, lsl_name=args.lsl_name)
    if args.mute:
        win.set_muted(True)
    if args.lsl:
        win.set_lsl(True)  # before the source starts: its first connection is published

    try:
        if args.replay:
            from nmt_pressure.analysis.replay import parse_speed

            win.open_replay(replay_rec, speed=parse_speed(args.speed), cfg=replay_cfg)
        elif args.sim:
            if args.record:
                win.controller.pending_record = (args.record, args.overwrite)
            script, wait = args.script, False
            drill = getattr(args, "drill_def", None)
            if drill is not None and not script and not getattr(args, "scenario_given", True):
                # As `nmt-pressure drill NAME --sim`: a simulated hand that follows the drill's prompts,
                # started when the reader connects (the drill starts then too), not the session scenario.
                from nmt_pressure.practice.simhand import hand_script

                # kept with the window; removed by its finalizer at exit
                hand_dir = tempfile.TemporaryDirectory(prefix="nmt-pressure-hand-")
                win.hand_dir = hand_dir
                script = os.path.join(hand_dir.name, f"{drill.name}-hand.txt")
                Path(script).write_text(hand_script(drill, args.seed).text, encoding="utf-8")
                wait = True
            win.start_sim(args.rate, scenario=args.scenario, seed=args.seed, script=script,
                          speed=getattr(args, "sim_speed", None) or 1.0, wait_for_host=wait)
            _wait_sim(win, app)
            if args.record and (win.session is None or win.session.recorder is None):
                # --record was asked for: a dashboard that runs on without it would lose the session
                raise DashError(win.message or f"cannot record to {args.record}.")
        elif args.port:
            win.connect_port(args.port)
            _wait_connected(win)
            if args.record and not win.start_recording(args.record, overwrite=args.overwrite):
                raise DashError(win.message)
        _start_drill(win, args)
    except DashError:
        win.stop_now()
        win.deleteLater()
        forget_scratch()
        raise

    stop = {"set": False}

    def on_signal(signum: int, frame: Any) -> None:
        stop["set"] = True

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    watch = QTimer()
    watch.setInterval(100)  # lets Python run its signal handlers while Qt's loop waits

    def check() -> None:
        if stop["set"]:
            win.close()
            app.quit()

    watch.timeout.connect(check)
    watch.start()

    t0 = time.monotonic()
    result: dict[str, Any] = {}

    def finish_unattended() -> None:
        if result.get("finished"):
            return  # the drill ended and the clock ran out in the same moment
        result["finished"] = True
        # A drill the clock stopped is scored and stored now, so the screenshot shows its card.
        win.drill_panel.finish_now()
        win._redraw()
        app.processEvents()
        if args.screenshot:
            pix = win.grab()
            if not pix.save(args.screenshot, "PNG"):
                result["error"] = f"cannot write the screenshot to {args.screenshot}; check its folder."
        summary = win.summary()
        win.stop_now()
        app.processEvents()  # the last holds (end of data) reach the table
        summary.update({k: v for k, v in _final(win).items() if k in ("events", "holds")})
        summary["hold_table"] = win.table.rows_text()
        summary["duration_s"] = round(time.monotonic() - t0, 3)
        if args.summary_json:
            _write_summary(args.summary_json, summary)
        print(f"dash: {summary['fps']:.0f} fps, CPU {summary['cpu_percent']} % of one core, "
              f"{summary.get('samples', 0)} samples, {len(summary['events'])} events", file=sys.stderr)
        _print_drill(summary.get("drill"))
        win.close()
        app.quit()

    if args.duration is not None:
        QTimer.singleShot(int(args.duration * 1000), finish_unattended)
        if getattr(args, "drill_def", None) is not None:
            # An unattended drill ends the run when it is over (its card shown and stored); a moment
            # later, so the card is laid out before the window is grabbed.
            win.drill_panel.done.connect(lambda: QTimer.singleShot(200, finish_unattended))
    win.show()
    try:
        app.exec()
    finally:
        watch.stop()
        for s, h in old.items():
            signal.signal(s, h)
        win.stop_now()
        forget_scratch()
    if "error" in result:
        raise DashError(result["error"])
    return 0


def _start_drill(win: Any, args: argparse.Namespace) -> None:
    """``--drill`` / ``--practitioner``: open the Drill panel and start the drill on the live source."""
    drill = getattr(args, "drill_def", None)
    practitioner = getattr(args, "practitioner", None)
    if drill is None and practitioner is None:
        return
    panel = win.drill_panel
    win.show_drill_panel(True)
    if practitioner is not None:
        panel.set_practitioner(practitioner)
    if drill is not None and not panel.start(drill, practitioner):
        raise DashError(win.message or f"the drill {drill.name} did not start.")


def _print_drill(drill: dict[str, Any] | None) -> None:
    if not drill:
        return
    card = drill.get("card")
    score = f": {card['overall']:.0f} / 100" if card and card.get("overall") is not None else ""
    if drill.get("history_error"):
        saved = f"; not saved ({drill['history_error']})"
    elif drill.get("result_id") is not None:
        saved = f", saved for {drill['practitioner']}"
    else:
        saved = ""
    print(f"dash: drill {drill['name']} {drill['state']}{score}{saved}", file=sys.stderr)


def _final(win: Any) -> dict[str, Any]:
    s = win.session
    return s.source.summary() if s is not None else {}


def _wait_sim(win: Any, app: Any, timeout: float = 20.0) -> None:
    """The simulator says its port within a second or so; if it cannot start, say why and stop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if win.session is not None:
            _wait_connected(win)
            return
        if win.sim is None:
            raise DashError(win.message or "the simulator did not start.")
        time.sleep(0.01)
    raise DashError("the simulator did not say its port within 20 s; try `nmt-pressure sim` to see why.")


def _quiet_qt_messages() -> None:
    """Qt's offscreen plugin warns about window size hints it cannot pass on: noise, not news."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, context: Any, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def _wait_connected(win: Any, timeout: float = 5.0, poll: Callable[[float], None] = time.sleep) -> None:
    """A port that cannot be opened is the user's to fix: say so before the window opens."""
    s = win.session
    if s is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if s.source.fatal:
            raise DashError(s.source.fatal)
        if s.source.stats.connected or not s.source.running:
            break
        poll(0.02)
    if s.source.fatal:
        raise DashError(s.source.fatal)
