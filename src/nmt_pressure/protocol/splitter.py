"""Cutting a byte stream into pieces at delimiters, with a bounded buffer: shared by every codec.

Both nmtp (frames end at 0x00) and ASCII devices (lines end at CR/LF) need the same thing: pieces
complete so far, any split of the input giving the same pieces, at most ``limit`` bytes held for an
unfinished piece, and a piece longer than the limit dropped up to its delimiter and counted.
"""

from __future__ import annotations

from collections.abc import Callable

from nmt_pressure.protocol.frames import CodecStats


class BoundedSplitter:
    def __init__(self, split: Callable[[bytes], list[bytes]], limit: int) -> None:
        self._split = split
        self.limit = limit
        self._buf = bytearray()
        self._discarding = False  # inside an over-long piece, dropping bytes until its delimiter

    def reset(self) -> None:
        """Forget a partial piece (after a reconnect)."""
        self._buf.clear()
        self._discarding = False

    @property
    def buffered(self) -> int:
        return len(self._buf)

    @property
    def discarding(self) -> bool:
        """Inside an over-long piece: bytes are dropped until the next delimiter."""
        return self._discarding

    def pending(self) -> bytes:
        """The unfinished piece held so far."""
        return bytes(self._buf)

    def take_pending(self) -> None:
        """The caller consumed the unfinished piece itself (e.g. as a text line)."""
        self._buf.clear()

    def feed(self, data: bytes | bytearray | memoryview, stats: CodecStats) -> list[bytes]:
        """The non-empty pieces completed by ``data`` (empty ones are idle fill), none over ``limit``.

        A piece longer than ``limit`` is dropped and counted (one overflow, its bytes as garbage)
        whether it arrived in one read or across many, so any split of the input gives the same.
        """
        parts = self._split(bytes(data))
        tail = parts.pop()
        out: list[bytes] = []
        limit = self.limit
        for k, piece in enumerate(parts):
            if k == 0:
                if self._discarding:
                    stats.garbage_bytes += len(piece)
                    self._discarding = False
                    continue
                if self._buf:
                    piece = bytes(self._buf) + piece
                    self._buf.clear()
            if len(piece) > limit:
                stats.overflows += 1
                stats.garbage_bytes += len(piece)
            elif piece:
                out.append(piece)
        if self._discarding:
            stats.garbage_bytes += len(tail)
        elif len(self._buf) + len(tail) > self.limit:
            stats.overflows += 1
            stats.garbage_bytes += len(self._buf) + len(tail)
            self._buf.clear()
            self._discarding = True
        else:
            self._buf += tail
        return out
