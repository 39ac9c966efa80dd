/* nmtp on the device (see nmtp.h). Small rather than fast: the AVR sends 80 frames a second at most,
 * so the CRC is a bitwise loop and GF(2^8) products are shift-and-add (no 512-byte tables in 2 KiB of
 * RAM). */
#include "nmtp.h"

#include <string.h>

uint16_t nmtp_crc16(const uint8_t *data, size_t len, uint16_t crc)
{
    while (len--) {
        crc ^= (uint16_t)(*data++) << 8;
        for (uint8_t k = 0; k < 8; k++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

/* ---- GF(2^8), polynomial 0x11D, alpha = 2 ------------------------------------------------------ */
static uint8_t gf_xtime(uint8_t a)
{
    return (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1D : 0));
}

static uint8_t gf_mul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;
    while (b) {
        if (b & 1)
            p ^= a;
        a = gf_xtime(a);
        b >>= 1;
    }
    return p;
}

static uint8_t gf_inv(uint8_t a) /* a^254 */
{
    uint8_t r = 1;
    for (uint8_t k = 0; k < 254; k++)
        r = gf_mul(r, a);
    return r;
}

static uint8_t gf_alpha_pow(size_t n)
{
    uint8_t p = 1;
    n %= 255;
    while (n--)
        p = gf_xtime(p);
    return p;
}

static void syndromes(const uint8_t *data, size_t len, uint8_t *s0, uint8_t *s1)
{
    uint8_t a = 0, b = 0, pw = 1; /* pw = alpha^i; alpha^255 = 1, so positions wrap as i % 255 */
    for (size_t i = 0; i < len; i++) {
        a ^= data[i];
        b ^= gf_mul(data[i], pw);
        pw = gf_xtime(pw);
    }
    *s0 = a;
    *s1 = b;
}

void nmtp_parity(const uint8_t *data, size_t len, uint8_t out[2])
{
    uint8_t a, b;
    syndromes(data, len, &a, &b);
    /* p0 at position n, p1 at n+1 cancel both sums: p0 + p1 = A, p0 a^n + p1 a^(n+1) = B. */
    uint8_t an1 = gf_alpha_pow(len + 1);
    uint8_t num = b ^ gf_mul(a, an1);
    uint8_t den = gf_alpha_pow(len) ^ an1;
    uint8_t p0 = num ? gf_mul(num, gf_inv(den)) : 0;
    out[0] = p0;
    out[1] = a ^ p0;
}

int nmtp_correct(uint8_t *frame, size_t len)
{
    uint8_t s0, s1;
    syndromes(frame, len, &s0, &s1);
    if (s0 == 0 && s1 == 0)
        return 1;
    if (s0 == 0 || s1 == 0 || len > 255)
        return 0;
    uint8_t q = gf_mul(s1, gf_inv(s0)), pw = 1; /* q = alpha^j: find j */
    size_t j = 0;
    while (pw != q && j < 255) {
        pw = gf_xtime(pw);
        j++;
    }
    if (j >= len)
        return 0;
    frame[j] ^= s0;
    return 1;
}

/* ---- COBS -------------------------------------------------------------------------------------- */
size_t nmtp_cobs_encode(const uint8_t *in, size_t len, uint8_t *out)
{
    /* out may be in - 1 (encoding in place, one byte ahead): every write lands at or before the
     * byte just read. */
    size_t code_i = 0, o = 1;
    uint8_t code = 1;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (c == 0) {
            out[code_i] = code;
            code_i = o++;
            code = 1;
        } else {
            out[o++] = c;
            if (++code == 0xFF) {
                out[code_i] = code;
                if (i + 1 == len)
                    return o; /* a final full block needs no empty block after it */
                code_i = o++;
                code = 1;
            }
        }
    }
    out[code_i] = code;
    return o;
}

int nmtp_cobs_decode(const uint8_t *in, size_t len, uint8_t *out)
{
    size_t i = 0, o = 0;
    while (i < len) {
        uint8_t code = in[i];
        if (code == 0 || i + code > len)
            return -1;
        for (size_t k = i + 1; k < i + code; k++) {
            if (in[k] == 0)
                return -1;
            out[o++] = in[k];
        }
        i += code;
        if (code != 0xFF && i < len)
            out[o++] = 0;
    }
    return (int)o;
}

/* ---- frames ------------------------------------------------------------------------------------ */
/* raw holds type | payload at out + 1 (len bytes); add CRC and check bytes, COBS in place, delimiter. */
static size_t finish_frame(uint8_t *out, size_t cap, size_t len)
{
    uint8_t *raw = out + 1;
    if (len + 4 + 2 > cap || len + 4 >= 254)
        return 0;
    uint16_t crc = nmtp_crc16(raw, len, 0xFFFF);
    raw[len++] = (uint8_t)crc;
    raw[len++] = (uint8_t)(crc >> 8);
    nmtp_parity(raw, len, raw + len);
    len += 2;
    size_t n = nmtp_cobs_encode(raw, len, out);
    out[n++] = 0;
    return n;
}

size_t nmtp_encode_samples(uint8_t *out, size_t cap, uint16_t seq, uint32_t t0_us, uint16_t dt_us,
                           uint8_t flags, const int32_t *counts, uint8_t n)
{
    size_t len = 11 + 3 * (size_t)n;
    if (n == 0 || len + 6 > cap)
        return 0;
    uint8_t *r = out + 1;
    r[0] = NMTP_SAMPLES;
    r[1] = (uint8_t)seq;
    r[2] = (uint8_t)(seq >> 8);
    r[3] = (uint8_t)t0_us;
    r[4] = (uint8_t)(t0_us >> 8);
    r[5] = (uint8_t)(t0_us >> 16);
    r[6] = (uint8_t)(t0_us >> 24);
    r[7] = (uint8_t)dt_us;
    r[8] = (uint8_t)(dt_us >> 8);
    r[9] = flags;
    r[10] = n;
    for (uint8_t i = 0; i < n; i++) {
        uint32_t c = (uint32_t)counts[i];
        r[11 + 3 * i] = (uint8_t)c;
        r[12 + 3 * i] = (uint8_t)(c >> 8);
        r[13 + 3 * i] = (uint8_t)(c >> 16);
    }
    return finish_frame(out, cap, len);
}

size_t nmtp_encode_text(uint8_t *out, size_t cap, uint8_t type, const char *text, size_t len)
{
    if (len > NMTP_TEXT_MAX || len + 7 > cap)
        return 0;
    out[1] = type;
    memcpy(out + 2, text, len);
    return finish_frame(out, cap, len + 1);
}

/* ---- commands ---------------------------------------------------------------------------------- */
void nmtp_rx_init(nmtp_rx_t *rx)
{
    memset(rx, 0, sizeof *rx);
}

static int printable(uint8_t c)
{
    return (c >= 0x20 && c < 0x7F) || c == '\t';
}

/* A COMMAND frame in enc[0..len): its text into text (NUL-terminated), or -1. */
static int command_frame(nmtp_rx_t *rx, const uint8_t *enc, size_t len, char *text)
{
    uint8_t *dec = (uint8_t *)text;
    int n = nmtp_cobs_decode(enc, len, dec);
    if (n < 5) {
        rx->framing_errors++;
        return -1;
    }
    size_t body = (size_t)n - 2;
    uint16_t crc = nmtp_crc16(dec, body - 2, 0xFFFF);
    if (crc != (uint16_t)(dec[body - 2] | (dec[body - 1] << 8))) {
        if (!nmtp_correct(dec, (size_t)n) ||
            nmtp_crc16(dec, body - 2, 0xFFFF) != (uint16_t)(dec[body - 2] | (dec[body - 1] << 8))) {
            rx->crc_errors++;
            return -1;
        }
        rx->corrected++;
    }
    if (dec[0] != NMTP_COMMAND) {
        rx->framing_errors++;
        return -1;
    }
    size_t tlen = body - 3;
    memmove(text, dec + 1, tlen);
    text[tlen] = 0;
    return (int)tlen;
}

static int trimmed(char *text, const uint8_t *src, size_t len)
{
    while (len && (*src == ' ' || *src == '\t')) {
        src++;
        len--;
    }
    while (len && (src[len - 1] == ' ' || src[len - 1] == '\t'))
        len--;
    memmove(text, src, len);
    text[len] = 0;
    return (int)len;
}

int nmtp_rx_byte(nmtp_rx_t *rx, uint8_t c, char *text)
{
    int n = 0;
    if (c == 0 || c == '\r' || c == '\n') {
        if (rx->discarding) {
            rx->discarding = 0;
            rx->len = rx->line_start = 0;
            return 0;
        }
    }
    if (c == 0) {
        if (rx->len) {
            n = command_frame(rx, rx->buf, rx->len, text);
            if (n < 0 && (rx->buf[0] == '\r' || rx->buf[0] == '\n')) {
                /* Line ends a terminal left in front of a frame: try without them. */
                uint8_t k = 0;
                while (k < rx->len && (rx->buf[k] == '\r' || rx->buf[k] == '\n'))
                    k++;
                for (uint8_t s = 1; s <= k && n < 0; s++) {
                    uint16_t e = rx->crc_errors, f = rx->framing_errors;
                    n = command_frame(rx, rx->buf + s, rx->len - s, text);
                    rx->crc_errors = e; /* the first failure was counted already */
                    rx->framing_errors = f;
                }
            }
        }
        rx->len = rx->line_start = 0;
        return n > 0 ? n : 0;
    }
    if (c == '\r' || c == '\n') {
        uint8_t s = rx->line_start, ok = rx->len > s, blank = 1;
        for (uint8_t i = s; i < rx->len; i++) {
            if (!printable(rx->buf[i]))
                ok = 0;
            if (rx->buf[i] != ' ' && rx->buf[i] != '\t')
                blank = 0;
        }
        if (ok && !blank) {
            n = trimmed(text, rx->buf + s, rx->len - s);
            rx->len = rx->line_start = 0;
            return n;
        }
        if (rx->len == s) {
            /* A blank line is idle; only this line end is kept (it may be a frame's first byte). */
            uint8_t only_ends = 1;
            for (uint8_t i = 0; i < rx->len; i++)
                if (rx->buf[i] != '\r' && rx->buf[i] != '\n')
                    only_ends = 0;
            if (only_ends)
                rx->len = 0;
        }
    }
    if (rx->discarding)
        return 0;
    if (rx->len >= NMTP_RX_MAX) {
        rx->overflows++;
        rx->discarding = 1;
        rx->len = rx->line_start = 0;
        return 0;
    }
    rx->buf[rx->len++] = c;
    if (c == '\r' || c == '\n')
        rx->line_start = rx->len;
    return 0;
}
