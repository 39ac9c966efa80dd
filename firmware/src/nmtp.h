/* nmtp on the device: CRC-16/CCITT-FALSE, two Reed-Solomon check bytes, COBS, frame encoders and the
 * command decoder. docs/PROTOCOL.md defines the format; src/nmt_pressure/protocol/nmtp.py is the host's
 * side. Plain C99 with no AVR header, so the host compiles the very same file for the unit test that
 * checks it against the shared vectors (firmware/test/nmtp_vectors.txt, written by the Python codec). */
#ifndef NMTP_H
#define NMTP_H

#include <stddef.h>
#include <stdint.h>

#define NMTP_SAMPLES 0x01
#define NMTP_RESPONSE 0x02
#define NMTP_BANNER 0x03
#define NMTP_COMMAND 0x10

#define NMTP_FLAG_MARKER 0x01
#define NMTP_FLAG_OVERLOAD 0x02
#define NMTP_FLAG_TARED 0x04

/* Longest text of a frame this device sends (its STATUS reply is the longest, up to 230 bytes). The
 * protocol allows 960, but 2 KiB of RAM does not, and frames under 255 bytes keep their one-byte
 * repair (and one byte of COBS overhead). */
#define NMTP_TEXT_MAX 240
/* Encoded frame: type, text, CRC, check bytes, COBS overhead, delimiter. */
#define NMTP_FRAME_MAX (1 + NMTP_TEXT_MAX + 2 + 2 + 2 + 1)

uint16_t nmtp_crc16(const uint8_t *data, size_t len, uint16_t crc);
/* The two check bytes p0 p1 over data[0..len-1] (len <= 253). */
void nmtp_parity(const uint8_t *data, size_t len, uint8_t out[2]);
/* Repair at most one wrong byte of a codeword in place; 1 if it is now a codeword, 0 if not. */
int nmtp_correct(uint8_t *frame, size_t len);
/* COBS-encode len bytes into out (room for len + len/254 + 1); returns the encoded length. */
size_t nmtp_cobs_encode(const uint8_t *in, size_t len, uint8_t *out);
/* Decode in place-safe (out may equal in); returns the decoded length or -1 if invalid. */
int nmtp_cobs_decode(const uint8_t *in, size_t len, uint8_t *out);

/* Whole frames with their 0x00 delimiter; each returns its length (0 if it does not fit in cap). */
size_t nmtp_encode_samples(uint8_t *out, size_t cap, uint16_t seq, uint32_t t0_us, uint16_t dt_us,
                           uint8_t flags, const int32_t *counts, uint8_t n);
size_t nmtp_encode_text(uint8_t *out, size_t cap, uint8_t type, const char *text, size_t len);

/* Host -> device: COMMAND frames and plain text lines (CR, LF or CR LF), as CommandDecoder does. */
#define NMTP_RX_MAX 96
typedef struct {
    uint8_t buf[NMTP_RX_MAX];
    uint8_t len;
    uint8_t line_start;  /* where the text since the last line end begins */
    uint8_t discarding;  /* an over-long run: dropped up to the next 0x00 or line end */
    uint16_t crc_errors, framing_errors, overflows, corrected;
} nmtp_rx_t;

void nmtp_rx_init(nmtp_rx_t *rx);
/* Feed one byte; returns the length of a command now in text (NUL-terminated, at most
 * NMTP_TEXT_MAX), or 0. text must hold NMTP_RX_MAX + 1 bytes. */
int nmtp_rx_byte(nmtp_rx_t *rx, uint8_t byte, char *text);

#endif
