"""Single-byte error correction for nmtp frames: two Reed–Solomon check bytes over GF(2^8).

A serial line that corrupts 0.3 % of its bytes ruins one 45-byte frame in eight; with a way to repair
one bad byte per frame, nearly all of them survive. The two check bytes ``p0 p1`` at the end of a frame
make ``S0 = Σ c_i`` and ``S1 = Σ c_i·α^i`` (over GF(2^8), polynomial 0x11D, α = 2) vanish. A single
wrong byte ``c_j ^ e`` shows as ``S0 = e`` and ``S1 = e·α^j``, which names both the position and the
fix. Two or more errors may look like one and be "fixed" wrongly: the frame's CRC-16, checked again
after any repair, rejects those, so correction never lets a corrupt frame through.
"""

from __future__ import annotations

_POLY = 0x11D
EXP = [0] * 512
LOG = [0] * 256
_x = 1
for _i in range(255):
    EXP[_i] = _x
    LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= _POLY
for _i in range(255, 512):
    EXP[_i] = EXP[_i - 255]

#: Frames longer than this cannot be corrected (α^i repeats after 255 positions); they are still
#: protected by their CRC.
MAX_CORRECTABLE = 255


def _syndromes(data: bytes | bytearray) -> tuple[int, int]:
    s0 = 0
    s1 = 0
    exp, log = EXP, LOG
    for i, c in enumerate(data):
        if c:
            s0 ^= c
            s1 ^= exp[log[c] + i % 255]
    return s0, s1


def parity(data: bytes | bytearray) -> bytes:
    """The two check bytes to append to ``data``."""
    n = len(data)
    a, b = _syndromes(data)
    # p0 at position n and p1 at n+1 must cancel both sums: p0 + p1 = A, p0·α^n + p1·α^(n+1) = B.
    num = b ^ (EXP[LOG[a] + (n + 1) % 255] if a else 0)
    den = EXP[n % 255] ^ EXP[(n + 1) % 255]
    p0 = EXP[(LOG[num] - LOG[den]) % 255] if num else 0
    return bytes((p0, a ^ p0))


def correct(frame: bytearray) -> bool:
    """Repair at most one wrong byte of ``frame`` (data and check bytes) in place.

    Returns True if the frame is now a codeword (it was one, or one byte was fixed), False if the
    damage is beyond one byte. The caller must still check the CRC.
    """
    s0, s1 = _syndromes(frame)
    if s0 == 0 and s1 == 0:
        return True
    if s0 == 0 or s1 == 0 or len(frame) > MAX_CORRECTABLE:
        return False
    j = (LOG[s1] - LOG[s0]) % 255
    if j >= len(frame):
        return False
    frame[j] ^= s0
    return True
