# cython: language_level=3
"""The hot loop of reading a recording: numeric columns out of delimited text, straight from bytes.

``scan`` walks the bytes after the header row line by line and parses the wanted cells into float64.
It reads only what it is sure of -- plain decimal numbers, optionally quoted, in lines that end the
way the Python reader expects -- and stops at the first line it is not sure of, saying where. The
Python side (``csvtable``) then parses that one line with the reference parser, which either reads
it (e.g. ``nan``, unusual whitespace) or raises the one-sentence error naming the line, and resumes
the scan after it. So the two paths cannot disagree: this file only ever handles a strict subset.

Numbers must come out bit-identical to Python's ``float()`` (a live recording written with ``%r``
must replay to the very same events), so every conversion is correctly rounded:

* up to 19 significant digits and a decimal exponent within +-22: the mantissa is an exact integer
  and 10**e an exact double. With a mantissa below 2**53 one IEEE multiply or divide is correctly
  rounded (Clinger's fast path). Above it (17-digit ``repr`` output is mostly there) a candidate
  is computed in floating point and then *proven* to be the nearest double with error-free
  transformations (TwoSum, Dekker's TwoProduct, Shewchuk's expansion arithmetic): the exact
  residual ``M - c*10**k`` is compared with half the gap to each neighbour of ``c``.
* anything else, and any tie or doubt: ``PyOS_string_to_double`` (CPython's correctly rounded,
  locale-independent dtoa). Never C ``strtod``: Qt sets LC_NUMERIC from the environment, and a
  German locale would read "1.5" as 1.
"""

import sys

from cpython.object cimport PyObject
from libc.stdint cimport int64_t, uint64_t
from libc.string cimport memcpy


cdef extern from "Python.h":
    # Declared here without an exception spec: the caller checks PyErr_Occurred itself.
    double PyOS_string_to_double(const char* s, char** endptr, PyObject* overflow_exception)
    PyObject* PyErr_Occurred()
    void PyErr_Clear()


# Statuses of scan(), mirrored in csvtable.py.
DONE = 0     # reached the end of the data
STUCK = 1    # the line at pos needs the Python parser (or is an error it will name)
FULL = 2     # the output has no room for another row; grow it and call again
LIMIT = 3    # max_rows rows were read

cdef enum:
    S_DONE = 0
    S_STUCK = 1
    S_FULL = 2
    S_LIMIT = 3

cdef enum:
    MAX_TOKEN = 96            # longest number handed to PyOS_string_to_double
    MAX_COLS = 64             # most wanted columns in one call

cdef double[23] POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
                         1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]
cdef uint64_t TWO53 = 9007199254740992
cdef bint LITTLE_ENDIAN = sys.byteorder == "little"  # for loading 8 digits at once


# --------------------------------------------------------------------------------------------------
# exact arithmetic (Shewchuk, "Adaptive Precision Floating-Point Arithmetic", 1997)
# --------------------------------------------------------------------------------------------------

cdef inline void two_sum(double a, double b, double* s, double* e) noexcept nogil:
    cdef double x = a + b
    cdef double bv = x - a
    cdef double av = x - bv
    e[0] = (a - av) + (b - bv)
    s[0] = x


cdef inline int grow(const double* e, int n, double b, double* h) noexcept nogil:
    """h = e + b exactly, as a nonoverlapping expansion of n + 1 components (e must be one)."""
    cdef double q = b
    cdef int i
    for i in range(n):
        two_sum(q, e[i], &q, &h[i])
    h[n] = q
    return n + 1


cdef inline int sign_of(const double* e, int n) noexcept nogil:
    """Sign of a nonoverlapping expansion: that of its largest nonzero component (the last one)."""
    cdef int i
    for i in range(n - 1, -1, -1):
        if e[i] > 0.0:
            return 1
        if e[i] < 0.0:
            return -1
    return 0


cdef inline double from_bits(uint64_t b) noexcept nogil:
    cdef double d
    memcpy(&d, &b, 8)
    return d


cdef inline uint64_t to_bits(double d) noexcept nogil:
    cdef uint64_t b
    memcpy(&b, &d, 8)
    return b


cdef int place(const double* r, int n, double c, double scale) noexcept nogil:
    """Where the exact x lies around the positive double c, given r = (x - c) * scale exactly.

    0: nearer to c than to either neighbour (c is the correctly rounded x); +1/-1: beyond the
    midpoint to the next double up/down; 2: exactly on a midpoint (a tie: let dtoa decide).
    """
    cdef uint64_t bits = to_bits(c)
    # Half the gap to each neighbour: exact (Sterbenz), a power of two; times scale, still exact.
    cdef double half_up = (from_bits(bits + 1) - c) * 0.5 * scale
    cdef double half_down = (c - from_bits(bits - 1)) * 0.5 * scale
    cdef double[12] h
    cdef int m, s = sign_of(r, n)
    if s == 0:
        return 0
    if s > 0:
        m = grow(r, n, -half_up, h)
        s = sign_of(h, m)
        return 1 if s > 0 else (2 if s == 0 else 0)
    m = grow(r, n, half_down, h)
    s = sign_of(h, m)
    return -1 if s < 0 else (2 if s == 0 else 0)


cdef inline void split(double a, double* hi, double* lo) noexcept nogil:
    """Veltkamp: a = hi + lo exactly, each with at most 26 significant bits."""
    cdef double t = 134217729.0 * a  # 2**27 + 1
    hi[0] = t - (t - a)
    lo[0] = a - hi[0]


cdef inline void two_prod(double a, double b, double* p, double* e) noexcept nogil:
    """Dekker: a * b = p + e exactly (no FMA instruction assumed, no libm call made)."""
    cdef double ah, al, bh, bl
    p[0] = a * b
    split(a, &ah, &al)
    split(b, &bh, &bl)
    e[0] = ((ah * bh - p[0]) + ah * bl + al * bh) + al * bl


cdef int place_exactly(uint64_t mant, int e, double c) noexcept nogil:
    """:func:`place` of x = mant * 10**e around c, the residual an exact expansion."""
    cdef double mh = <double>mant
    cdef double ml = <double>(<int64_t>(mant - <uint64_t>mh))
    cdef double p10 = POW10[e if e >= 0 else -e]
    cdef double a1, a2, b1, b2
    cdef double[8] r
    cdef double[8] t
    cdef int n
    if e >= 0:
        # x - c = mh*P + ml*P - c
        two_prod(mh, p10, &a1, &a2)
        two_prod(ml, p10, &b1, &b2)
        r[0] = a1
        n = grow(r, 1, a2, t)
        n = grow(t, n, b1, r)
        n = grow(r, n, b2, t)
        n = grow(t, n, -c, r)
        return place(r, n, c, 1.0)
    # (x - c) * D = mh + ml - c*D
    two_prod(c, p10, &a1, &a2)
    r[0] = mh
    n = grow(r, 1, ml, t)
    n = grow(t, n, -a1, r)
    n = grow(r, n, -a2, t)
    return place(t, n, c, p10)


cdef int nearest(uint64_t mant, int e, double* out) noexcept nogil:
    """out = the double nearest mant * 10**e for 2**53 < mant < 2**64, |e| <= 22; 0 if unsure.

    The candidate c = RN(mh * 10**e) (mh: mant rounded to a double) is at most a step or two
    from the answer. The residual x - c is a sum of few exact terms (the error of a correctly
    rounded product, or the remainder of a correctly rounded division, is itself a double): when
    it is clearly inside or outside half the gap to c's neighbour (by 0.1 %, far beyond the
    rounding of that sum) the answer is known; otherwise, and for a neighbour, an exact expansion
    decides.
    """
    cdef double mh = <double>mant
    cdef double ml = <double>(<int64_t>(mant - <uint64_t>mh))  # exact: |.| <= 2**10
    cdef double p10 = POW10[e if e >= 0 else -e]
    cdef double c, r, p, pe, b1, b2, s, t, size, half
    cdef uint64_t bits
    cdef int where, tries
    if e >= 0:
        c = mh * p10
        two_prod(mh, p10, &p, &r)        # r = mh*P - c exactly
        two_prod(ml, p10, &b1, &b2)      # ml*P = b1 + b2 exactly
        two_sum(r, b1, &s, &t)
        t = t + b2                       # x - c = s + t, give or take t's own rounding
        half = 0.5
    else:
        c = mh / p10
        two_prod(c, p10, &p, &pe)        # c*D = p + pe; mh - p is exact (Sterbenz), and so is
        r = (mh - p) - pe                # mh - c*D, the remainder of a correctly rounded division
        two_sum(r, ml, &s, &t)           # (x - c) * D = s + t exactly
        half = 0.5 * p10
    bits = to_bits(c)
    half = half * (from_bits(bits + 1) - c if s >= 0.0 else c - from_bits(bits - 1))
    size = s if s >= 0.0 else -s
    if size < 0.999 * half:
        out[0] = c
        return 1
    if size > 1.001 * half:
        c = from_bits(bits + 1) if s > 0.0 else from_bits(bits - 1)
    for tries in range(3):
        where = place_exactly(mant, e, c)
        if where == 0:
            out[0] = c
            return 1
        if where == 2:
            return 0
        c = from_bits(to_bits(c) + 1) if where > 0 else from_bits(to_bits(c) - 1)
    return 0


# --------------------------------------------------------------------------------------------------
# one number
# --------------------------------------------------------------------------------------------------

cdef inline bint is_digit(unsigned char c) noexcept nogil:
    return c >= 48 and c <= 57


cdef inline uint64_t load8(const unsigned char* p) noexcept nogil:
    cdef uint64_t v
    memcpy(&v, p, 8)
    return v


cdef inline bint eight_digits(uint64_t v) noexcept nogil:
    """Whether 8 bytes (loaded little-endian) are all ASCII digits: a SWAR test, as in fast_float."""
    return (((v + 0x4646464646464646ULL) | (v - 0x3030303030303030ULL)) & 0x8080808080808080ULL) == 0


cdef inline uint64_t eight_value(uint64_t v) noexcept nogil:
    """The number 8 ASCII digits (loaded little-endian) spell, in three multiplications."""
    v -= 0x3030303030303030ULL
    v = v * 10 + (v >> 8)
    return (((v & 0x000000FF000000FFULL) * 0x000F424000000064ULL) +
            (((v >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL)) >> 32


cdef inline int done(Py_ssize_t* pos, Py_ssize_t i, unsigned char* mark, unsigned char m, double* out,
                     double v) noexcept nogil:
    pos[0] = i
    mark[0] = m
    out[0] = v
    return 1


cdef int parse_number(const unsigned char* s, Py_ssize_t end, Py_ssize_t* pos, unsigned char comma_ok,
                      unsigned char* mark, double* out) noexcept nogil:
    """Parse ``[+-]digits[(.|,)digits][(e|E)[+-]digits]`` at s[pos]; 1 on success, 0 otherwise.

    ``mark`` is the file's decimal mark so far (0: not yet seen, else '.' or ','); a ',' is a
    decimal mark only when ``comma_ok`` (the delimiter is not a comma). A number using the other
    mark ends before it, so the caller finds no delimiter there and hands the line to Python.
    """
    cdef Py_ssize_t i = pos[0]
    cdef Py_ssize_t start = i, digits, q
    cdef bint neg = False, neg_exp = False
    cdef uint64_t mant = 0  # wraps beyond 19 digits, but then dtoa reads the number
    cdef Py_ssize_t nint, nfrac = 0, nsig
    cdef int64_t e10, ex = 0
    cdef unsigned char m = mark[0]
    cdef double v
    cdef char[MAX_TOKEN] buf
    cdef char* endp
    cdef Py_ssize_t k, length
    cdef bint failed

    if i < end and (s[i] == 43 or s[i] == 45):  # '+' '-'
        neg = s[i] == 45
        i += 1
    digits = i
    while i < end and is_digit(s[i]):
        mant = mant * 10 + (s[i] - 48)
        i += 1
    nint = i - digits
    if i < end and ((s[i] == 46 and m != 44) or (s[i] == 44 and comma_ok and m != 46)):  # '.' ','
        m = s[i]
        i += 1
        q = i
        if LITTLE_ENDIAN:
            while i + 8 <= end and eight_digits(load8(s + i)):
                mant = mant * 100000000 + eight_value(load8(s + i))
                i += 8
        while i < end and is_digit(s[i]):
            mant = mant * 10 + (s[i] - 48)
            i += 1
        nfrac = i - q
    if nint + nfrac == 0:
        return 0
    if i < end and (s[i] == 101 or s[i] == 69):  # 'e' 'E'
        i += 1
        if i < end and (s[i] == 43 or s[i] == 45):
            neg_exp = s[i] == 45
            i += 1
        if i >= end or not is_digit(s[i]):
            return 0
        while i < end and is_digit(s[i]):
            if ex < 100000:
                ex = ex * 10 + (s[i] - 48)
            i += 1
    e10 = (-ex if neg_exp else ex) - nfrac
    nsig = nint + nfrac
    q = digits
    while nsig > 19 and q < i:
        # Leading zeros ("0.000123") are no significant digits.
        if s[q] == 48:
            nsig -= 1
        elif q != digits + nint:  # not the decimal mark either: a significant digit
            break
        q += 1

    if nsig <= 19:
        if mant == 0:
            return done(pos, i, mark, m, out, -0.0 if neg else 0.0)
        if mant <= TWO53 and -22 <= e10 <= 22:
            v = <double>mant * POW10[e10] if e10 >= 0 else <double>mant / POW10[-e10]
            return done(pos, i, mark, m, out, -v if neg else v)
        if -22 <= e10 <= 22 and nearest(mant, <int>e10, &v):
            return done(pos, i, mark, m, out, -v if neg else v)
        if 22 < e10 <= 22 + 15 and mant <= TWO53 / <uint64_t>POW10[e10 - 22]:
            # Clinger: a small mantissa takes the surplus powers of ten exactly.
            v = <double>(mant * <uint64_t>POW10[e10 - 22]) * POW10[22]
            return done(pos, i, mark, m, out, -v if neg else v)

    length = i - start
    if length >= MAX_TOKEN:
        return 0
    for k in range(length):
        buf[k] = b'.' if s[start + k] == 44 else <char>s[start + k]
    buf[length] = 0
    failed = False
    with gil:
        v = PyOS_string_to_double(buf, &endp, NULL)
        if PyErr_Occurred() != NULL:
            PyErr_Clear()
            failed = True
    if failed or endp != buf + length:
        return 0
    return done(pos, i, mark, m, out, v)  # dtoa applied the sign itself


# --------------------------------------------------------------------------------------------------
# lines and cells
# --------------------------------------------------------------------------------------------------

cdef inline bint is_eol(const unsigned char* s, Py_ssize_t i, Py_ssize_t end) noexcept nogil:
    return i >= end or s[i] == 10 or s[i] == 13


cdef inline Py_ssize_t next_line(const unsigned char* s, Py_ssize_t i, Py_ssize_t end) noexcept nogil:
    """Index of the first byte of the next line (\\n, \\r\\n and a lone \\r each end a line)."""
    while i < end and s[i] != 10 and s[i] != 13:
        i += 1
    if i < end and s[i] == 13:
        i += 1
        if i < end and s[i] == 10:
            i += 1
    elif i < end:
        i += 1
    return i


cdef inline Py_ssize_t skip_blanks(const unsigned char* s, Py_ssize_t i, Py_ssize_t end,
                                   int delim) noexcept nogil:
    """Skip spaces, and tabs unless the tab is the delimiter."""
    while i < end and (s[i] == 32 or (s[i] == 9 and delim != 9)):
        i += 1
    return i


cdef int scan_rows(const unsigned char* s, Py_ssize_t end, Py_ssize_t* pos_io, Py_ssize_t* line_io,
                   Py_ssize_t* row_io, Py_ssize_t* last_line, unsigned char* mark_io, int delim,
                   const int* slots, Py_ssize_t nslots, int k, double* out, Py_ssize_t cap,
                   Py_ssize_t max_rows) noexcept nogil:
    cdef Py_ssize_t pos = pos_io[0], line = line_io[0], row = row_io[0]
    cdef Py_ssize_t i, col, after
    cdef int got, slot, j, status = S_DONE
    cdef unsigned char mark = mark_io[0], row_mark
    cdef unsigned char comma_ok = delim != 44
    cdef bint quoted, ws = delim < 0
    cdef double[MAX_COLS] vals

    while pos < end:
        if row >= max_rows:
            status = S_LIMIT
            break
        if row >= cap:
            status = S_FULL
            break
        # A blank, whitespace-only or comment-only line is no row.
        i = skip_blanks(s, pos, end, -1)
        if is_eol(s, i, end) or s[i] == 35:  # '#'
            pos = next_line(s, i, end)
            line += 1
            continue
        i = pos
        col = 0
        got = 0
        row_mark = mark
        while True:
            if ws:
                i = skip_blanks(s, i, end, -1)
                if is_eol(s, i, end) or s[i] == 35:
                    break
            slot = slots[col] if col < nslots else -1
            if slot >= 0:
                i = skip_blanks(s, i, end, delim)
                quoted = i < end and s[i] == 34  # '"'
                if quoted:
                    i = skip_blanks(s, i + 1, end, delim)
                if not parse_number(s, end, &i, comma_ok, &row_mark, &vals[slot]):
                    got = -1
                    break
                if quoted:
                    i = skip_blanks(s, i, end, delim)
                    if i >= end or s[i] != 34:
                        got = -1
                        break
                    i += 1
                after = i
                i = skip_blanks(s, i, end, delim)
                # The cell must end here: at the delimiter (a blank, between whitespace-separated
                # cells), the end of the line or a comment.
                if not (is_eol(s, i, end) or s[i] == 35 or (i > after if ws else s[i] == delim)):
                    got = -1
                    break
                got += 1
                if got == k:
                    break  # the rest of the line is not needed
                if ws:
                    col += 1
                    continue
            elif ws:
                while not is_eol(s, i, end) and s[i] != 32 and s[i] != 9 and s[i] != 35:
                    i += 1
                col += 1
                continue
            elif i < end and s[i] == 34:
                # A quoted cell (the quote must open it, as in the csv module); "" is a quote.
                i += 1
                while True:
                    if is_eol(s, i, end) or s[i] == 35:
                        got = -1
                        break
                    if s[i] == 34:
                        if i + 1 < end and s[i + 1] == 34:
                            i += 2
                            continue
                        i += 1
                        break
                    i += 1
                if got < 0:
                    break
                while not is_eol(s, i, end) and s[i] != delim and s[i] != 35:
                    i += 1
            else:
                while not is_eol(s, i, end) and s[i] != delim and s[i] != 35:
                    i += 1
            # After a cell: the delimiter, or the end of the line's content.
            if i < end and s[i] == delim:
                i += 1
                col += 1
                continue
            break
        if got != k:
            status = S_STUCK
            break
        for j in range(k):
            out[j * cap + row] = vals[j]
        mark = row_mark
        row += 1
        last_line[0] = line
        pos = next_line(s, i, end)
        line += 1

    pos_io[0] = pos
    line_io[0] = line
    row_io[0] = row
    mark_io[0] = mark
    return status


def scan(const unsigned char[::1] data, Py_ssize_t pos, Py_ssize_t line, int delimiter,
         const int[::1] slots, double[:, ::1] out, Py_ssize_t row, Py_ssize_t max_rows, int mark):
    """Read rows of ``data`` from byte ``pos`` (the start of file line ``line``) into ``out``.

    ``delimiter`` is the byte value of the delimiter, or -1 for runs of whitespace; ``slots[c]`` is
    the row of ``out`` that cell ``c`` goes to, or -1; rows are written from column ``row`` of
    ``out`` until the data ends, a line needs the Python parser, ``out`` is full or ``max_rows``
    rows are there. ``mark`` is the decimal mark decided so far (0, ord('.') or ord(',')).

    Returns ``(status, pos, line, row, mark, last_line)``: where the scan stopped (the start of the
    stuck line, or of the next line to read), how many rows ``out`` now holds, the decimal mark and
    the file line of the last row read (0 if none was read in this call).
    """
    cdef Py_ssize_t n = data.shape[0]
    cdef Py_ssize_t k = out.shape[0]
    cdef Py_ssize_t cap = out.shape[1]
    cdef Py_ssize_t last = 0
    cdef unsigned char m = <unsigned char>mark
    cdef int status
    cdef int j, used = 0
    if k < 1 or k > MAX_COLS:
        raise ValueError(f"between 1 and {MAX_COLS} columns can be read at once, not {k}")
    for j in range(slots.shape[0]):
        if slots[j] >= k:
            raise ValueError(f"slot {slots[j]} out of range for {k} output rows")
        if slots[j] >= 0:
            used += 1
    if used != k:
        raise ValueError("every output row needs exactly one column")
    if not 0 <= pos <= n or row < 0 or row > cap:
        raise ValueError("pos or row out of range")
    if pos == n:
        return DONE, pos, line, row, mark, 0
    with nogil:
        status = scan_rows(&data[0], n, &pos, &line, &row, &last, &m, delimiter,
                           &slots[0], slots.shape[0], <int>k, &out[0, 0], cap, max_rows)
    return status, pos, line, row, m, last


def parse_double(const unsigned char[::1] token, bint decimal_comma=False) -> float:
    """One number as the scanner reads it (for tests); ValueError if the scanner would not."""
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t n = token.shape[0]
    cdef unsigned char m = 44 if decimal_comma else 46
    cdef double v = 0.0
    cdef int ok
    if n == 0:
        raise ValueError("empty")
    with nogil:
        ok = parse_number(&token[0], n, &i, decimal_comma, &m, &v)
    if not ok or i != n:
        raise ValueError(bytes(token).decode("latin-1"))
    return v
