"""Nothing listens on the network unless asked, the simulator's TCP link is loopback-only, and no
recording is ever replaced without --overwrite (derived outputs are refreshed, inputs never).

Sockets are read from the kernel's own tables: a process's open sockets are the ``socket:[inode]``
links in ``/proc/PID/fd``, and ``/proc/PID/net/{tcp,tcp6,udp,udp6}`` say what each inode is bound to
and whether it listens. A listening TCP socket or any UDP socket is something another machine could
reach; a client connection (pyserial's ``socket://``) is not.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nmt_pressure.cli.main import main as cli_main
from nmt_pressure.io.recording import write_recording

PY = sys.executable
pytestmark = pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(),
                                reason="reads the socket tables of Linux's /proc")


@dataclass(frozen=True)
class Sock:
    pid: int
    proto: str  # tcp, tcp6, udp, udp6
    addr: str
    port: int
    listening: bool  # TCP LISTEN, or any bound UDP socket: reachable from outside if not loopback


def _addr(hexaddr: str) -> str:
    raw = bytes.fromhex(hexaddr)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    # IPv6: four 32-bit words, each in host (little-endian) order
    return socket.inet_ntop(socket.AF_INET6, b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))


def inet_sockets(pid: int) -> list[Sock]:
    """The IPv4/IPv6 sockets process ``pid`` has open."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{proto}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[9] in inodes:
                addr, port = f[1].split(":")
                found.append(Sock(pid, proto, _addr(addr), int(port, 16),
                                  listening=proto.startswith("udp") or f[3] == "0A"))
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (the dashboard's simulator is its child)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def local_ipv4_addresses() -> list[str]:
    """Every IPv4 address of this machine's interfaces (SIOCGIFADDR), plus 127.0.0.2: loopback, but
    not the address the simulator binds."""
    found = {"127.0.0.2"}
    for _, name in socket.if_nameindex():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))
            except OSError:
                continue
            found.add(socket.inet_ntoa(packed[20:24]))
    return sorted(found - {"127.0.0.1"})


class Proc:
    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     **kwargs)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for p in started:
        p.kill()


def start(procs: list[Proc], *argv: str, **kwargs: Any) -> Proc:
    p = Proc([PY, *argv], **kwargs)
    procs.append(p)
    return p


def sim_port(p: Proc) -> str:
    assert p.proc.stdout is not None
    line = p.proc.stdout.readline().strip()
    assert line.startswith("port: "), line
    return line[len("port: "):]


def wait_until(check: Any, timeout: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")


def wait_for_line(p: Proc, needle: str, timeout: float = 20.0) -> None:
    assert p.proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = p.proc.stdout.readline()
        if needle in line:
            return
        if not line and p.proc.poll() is not None:
            break
    raise AssertionError(f"no {needle!r} from {p.proc.args}")


# --------------------------------------------------------------------------------------------------
# nothing listens unless asked
# --------------------------------------------------------------------------------------------------
def test_monitor_opens_no_network_socket_without_lsl(procs):
    port = sim_port(start(procs, "-m", "firmware_sim", "--rate", "200", "--scenario", "steady"))
    mon = start(procs, "-m", "nmt_pressure", "monitor", "--port", port, "--duration", "30")
    wait_for_line(mon, "connected: nmt-sim")
    assert inet_sockets(mon.pid) == []  # a pty device: not a single IP socket, listening or not


def test_dashboard_with_its_simulator_opens_no_network_socket_without_lsl(procs, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NMT_PRESSURE_SETTINGS=str(tmp_path / "s.ini"))
    dash = start(procs, "-m", "nmt_pressure", "dash", "--sim", "--rate", "200", "--duration", "30", env=env)
    child = wait_until(lambda: [p for p in process_tree(dash.pid)[1:] if "firmware_sim" in cmdline(p)],
                       what="the dashboard's simulator")
    time.sleep(2.0)  # connected and drawing by now (no event to wait for: the window is offscreen)
    assert dash.proc.poll() is None, dash.proc.communicate()[1]
    tree = process_tree(dash.pid)
    assert child[0] in tree
    exposed = [s for p in tree for s in inet_sockets(p) if s.listening]
    assert exposed == []
    dash.proc.send_signal(signal.SIGTERM)
    assert dash.proc.wait(30) == 0


def test_lsl_listens_when_asked(procs):
    """The other side of the two tests above, and proof that they would see a listening socket."""
    from nmt_pressure.outputs.lsl import LslError, load_pylsl

    try:
        load_pylsl()
    except LslError as exc:
        pytest.skip(f"liblsl is not available: {exc}")
    port = sim_port(start(procs, "-m", "firmware_sim", "--rate", "200", "--scenario", "steady"))
    mon = start(procs, "-m", "nmt_pressure", "monitor", "--port", port, "--lsl", "--duration", "30")
    wait_for_line(mon, "connected: nmt-sim")
    wait_until(lambda: [s for s in inet_sockets(mon.pid) if s.listening], what="LSL's sockets")


def test_simulator_tcp_link_is_bound_to_loopback_only(procs):
    sim = start(procs, "-m", "firmware_sim", "--rate", "80", "--scenario", "idle", "--tcp", "0")
    url = sim_port(sim)
    port = int(url.rsplit(":", 1)[1])
    listening = [s for s in inet_sockets(sim.pid) if s.listening]
    assert [(s.proto, s.addr, s.port) for s in listening] == [("tcp", "127.0.0.1", port)]
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # reachable where it should be
    for addr in local_ipv4_addresses():  # and nowhere else, not even another loopback address
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(2.0)
            s.connect((addr, port))


# --------------------------------------------------------------------------------------------------
# never overwrite a recording
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def recording(tmp_path: Path) -> Path:
    t = np.arange(0.0, 6.0, 0.01)
    f = np.interp(t, [0, 1, 1.5, 4.5, 4.8, 6], [0, 0, 20, 20, 0, 0])
    return write_recording(tmp_path / "session.csv", t, f, {"device": "synthetic"})


@pytest.mark.parametrize("existing", ["r.csv", "r.csv.events.jsonl"])
def test_dashboard_recording_never_replaces_a_file(existing, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    (tmp_path / existing).write_text("precious")
    assert cli_main(["dash", "--sim", "--record", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already exists" in err[0] and "--overwrite" in err[0]
    assert (tmp_path / existing).read_text() == "precious"


def test_report_refreshes_its_own_outputs_but_never_an_input(recording, tmp_path, capsys):
    out = tmp_path / "rep"
    assert cli_main(["report", str(recording), "--out", str(out), "--quiet", "--no-figures"]) == 0
    table = out / "session.holds.csv"
    table.write_text("stale")
    assert cli_main(["report", str(recording), "--out", str(out), "--quiet", "--no-figures"]) == 0
    assert table.read_text() != "stale"  # derived files are refreshed on every run
    capsys.readouterr()
    # A recording that sits in --out under a name the report writes is never replaced by it.
    victim = out / "summary.json"
    victim.write_text("t_s,force_n\n0,1\n0.01,1\n")
    before = victim.read_bytes()
    assert cli_main(["report", str(victim), str(recording), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "would overwrite its input" in err[0], err
    assert victim.read_bytes() == before


def test_analyze_json_refreshes_an_output_but_never_the_input(recording, tmp_path, capsys):
    out = tmp_path / "out.json"
    out.write_text("old")
    assert cli_main(["analyze", str(recording), "--json", str(out)]) == 0
    assert "holds" in json.loads(out.read_text())
    before = recording.read_bytes()
    assert cli_main(["analyze", str(recording), "--json", str(recording)]) == 2  # and via another path:
    assert cli_main(["analyze", str(recording), "--json", str(tmp_path / "." / recording.name)]) == 2
    assert recording.read_bytes() == before
