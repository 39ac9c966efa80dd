"""The simulated device's side of the cable: a pseudo-terminal or a TCP socket on 127.0.0.1.

Both behave like a USB-serial device rather than like a pipe:

* the device never blocks on output. Bytes the reader has not taken yet wait in a small queue
  (``OUT_QUEUE_MAX``); when that is full, whole writes (frames) are dropped and counted, as a real
  device's firmware drops what its USB endpoint cannot take while nobody reads;
* a reader may come and go. The pty keeps its slave side open in this process too, so the pty never
  hangs up (no EIO) while nobody has it open; after a second of nobody reading, the stale bytes in the
  slave's input queue are discarded (and counted), so a reader that comes back gets fresh data, not
  seconds-old samples. TCP accepts the next client (a new client replaces the old one: a serial port
  has one user) and drops output while nobody is connected.

``poll(timeout)`` waits for input (or writability while output is queued) and returns the bytes
received; the firmware calls it with the time left until its next deadline.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import select
import socket
import struct
import termios
import time
import tty
from collections.abc import Callable

#: Bytes queued in this process beyond what the kernel took (a USB device's endpoint buffer).
OUT_QUEUE_MAX = 4096
#: After this long with writes being dropped, the pty's stale input queue is flushed (s).
STALE_AFTER_S = 1.0


class LinkStats:
    """Counters: what went out, what was dropped, how often a reader came."""

    def __init__(self) -> None:
        self.bytes_out = 0
        self.bytes_in = 0
        self.writes_dropped = 0
        self.bytes_dropped = 0
        self.bytes_flushed = 0  # stale bytes discarded from the pty's queue while nobody read
        self.connects = 0


class Link:
    """Common output queue and drop accounting; subclasses move the bytes."""

    url: str

    def __init__(self) -> None:
        self.stats = LinkStats()
        self._out = bytearray()
        #: Queue limit (bytes); the firmware raises it under --speed to buffer the same wall time.
        self.out_max = OUT_QUEUE_MAX
        self._dropping_since: float | None = None
        self.on_connect: Callable[[], None] | None = None
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)

    # ---- subclass hooks
    def _out_fd(self) -> int | None:
        """The fd output goes to, or None when nobody is connected."""
        raise NotImplementedError

    def _read_fds(self) -> list[int]:
        raise NotImplementedError

    def _on_readable(self, fd: int) -> bytes:
        raise NotImplementedError

    def _send(self, fd: int, data: bytes | bytearray) -> int:
        """Write without blocking; return the number of bytes taken (0 if none); raise on a dead peer."""
        raise NotImplementedError

    def _lost(self) -> None:
        """The peer went away while writing (TCP)."""

    def _stale(self) -> None:
        """Nobody has read for a while: discard what waits for them (pty)."""

    # ---- public
    @property
    def wake_fd(self) -> int:
        """Writing a byte here wakes up ``poll`` (signal handlers use it)."""
        return self._wake_w

    @property
    def connected(self) -> bool:
        return self._out_fd() is not None

    def write(self, data: bytes) -> bool:
        """Queue ``data`` (one frame or line) for the reader; False if it was dropped."""
        fd = self._out_fd()
        if fd is None or len(self._out) + len(data) > self.out_max:
            self.stats.writes_dropped += 1
            self.stats.bytes_dropped += len(data)
            now = time.monotonic()
            if self._dropping_since is None:
                self._dropping_since = now
            elif now - self._dropping_since > STALE_AFTER_S and fd is not None:
                self._stale()
                self._dropping_since = now
            return False
        self._out += data
        self._pump()
        return True

    def _pump(self) -> None:
        fd = self._out_fd()
        if fd is None:
            self._out.clear()
            return
        while self._out:
            try:
                n = self._send(fd, self._out)
            except OSError:
                self._lost()
                self._out.clear()
                return
            if n <= 0:
                return
            self.stats.bytes_out += n
            del self._out[:n]
            self._dropping_since = None

    def poll(self, timeout: float) -> bytes:
        """Wait up to ``timeout`` s for input; flush queued output meanwhile; return what arrived."""
        rfds = [*self._read_fds(), self._wake_r]
        out_fd = self._out_fd()
        wfds = [out_fd] if (self._out and out_fd is not None) else []
        try:
            r, w, _ = select.select(rfds, wfds, [], max(timeout, 0.0))
        except (OSError, ValueError):  # a peer's fd closed under us: next round sees the new state
            return b""
        if w:
            self._pump()
        data = bytearray()
        for fd in r:
            if fd == self._wake_r:
                with contextlib.suppress(OSError):
                    os.read(self._wake_r, 512)
                continue
            data += self._on_readable(fd)
        self.stats.bytes_in += len(data)
        return bytes(data)

    def close(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)


class PtyLink(Link):
    """A pseudo-terminal: the reader opens ``url`` (``/dev/pts/N``) as it would a USB-serial port."""

    def __init__(self) -> None:
        super().__init__()
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # binary-clean: no echo, no CR/LF translation, no signals
        attrs = termios.tcgetattr(self.slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.slave, termios.TCSANOW, attrs)
        os.set_blocking(self.master, False)
        self.url = os.ttyname(self.slave)
        self.stats.connects = 1

    def _out_fd(self) -> int | None:
        return self.master

    def _read_fds(self) -> list[int]:
        return [self.master]

    def _on_readable(self, fd: int) -> bytes:
        try:
            return os.read(fd, 4096)
        except BlockingIOError:
            return b""
        except OSError as exc:  # EIO: no slave open (cannot happen while we hold one; be safe)
            if exc.errno == errno.EIO:
                time.sleep(0.01)
            return b""

    def _send(self, fd: int, data: bytes | bytearray) -> int:
        try:
            return os.write(fd, data)
        except BlockingIOError:
            return 0
        except OSError as exc:
            if exc.errno == errno.EIO:
                return 0
            raise

    def _stale(self) -> None:
        try:
            buf = fcntl.ioctl(self.slave, termios.FIONREAD, struct.pack("i", 0))
            self.stats.bytes_flushed += struct.unpack("i", buf)[0]
            termios.tcflush(self.slave, termios.TCIFLUSH)
        except OSError:
            pass

    def close(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        super().close()


class TcpLink(Link):
    """A TCP server on 127.0.0.1: the reader opens ``socket://127.0.0.1:PORT`` with pyserial."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.server.bind(("127.0.0.1", port))
            self.server.listen(2)
        except OSError:
            self.server.close()
            super().close()
            raise
        self.server.setblocking(False)
        self.port = self.server.getsockname()[1]
        self.url = f"socket://127.0.0.1:{self.port}"
        self.client: socket.socket | None = None

    def _out_fd(self) -> int | None:
        return self.client.fileno() if self.client is not None else None

    def _read_fds(self) -> list[int]:
        fds = [self.server.fileno()]
        if self.client is not None:
            fds.append(self.client.fileno())
        return fds

    def _on_readable(self, fd: int) -> bytes:
        if fd == self.server.fileno():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return b""
            self._drop_client()  # one user at a time, as on a serial port: the newcomer wins
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.client = conn
            self.stats.connects += 1
            if self.on_connect is not None:
                self.on_connect()
            return b""
        if self.client is None or fd != self.client.fileno():
            return b""
        try:
            data = self.client.recv(4096)
        except BlockingIOError:
            return b""
        except OSError:
            data = b""
        if not data:
            self._drop_client()
        return data

    def _send(self, fd: int, data: bytes | bytearray) -> int:
        assert self.client is not None
        try:
            return self.client.send(data)
        except BlockingIOError:
            return 0

    def _lost(self) -> None:
        self._drop_client()

    def _drop_client(self) -> None:
        if self.client is not None:
            with contextlib.suppress(OSError):
                self.client.close()
            self.client = None
            self._out.clear()

    def close(self) -> None:
        self._drop_client()
        with contextlib.suppress(OSError):
            self.server.close()
        super().close()
