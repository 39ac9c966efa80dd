/* The firmware's nmtp codec (src/nmtp.c, compiled for the host) against the shared vectors that the
 * Python codec wrote (nmtp_vectors.txt, tools/nmtp_vectors.py): the same bytes, or it fails.
 * Usage: test_nmtp VECTORS_FILE    prints one line per failure and a summary; exit 1 on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/nmtp.h"

static int failures, checked;

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    if (strcmp(s, "-") == 0)
        return 0;
    size_t n = strlen(s) / 2;
    if (n > cap) {
        fprintf(stderr, "vector too long (%zu bytes)\n", n);
        exit(2);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void fail(int line, const char *what)
{
    failures++;
    printf("line %d: %s\n", line, what);
}

static void same(int line, const char *what, const uint8_t *got, size_t n, const uint8_t *want, size_t m)
{
    checked++;
    if (n != m || memcmp(got, want, n) != 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s differs (%zu bytes, want %zu)", what, n, m);
        fail(line, msg);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTORS_FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    static char text[1 << 16];
    static uint8_t a[4096], b[4096], c[4096];
    int line = 0;
    while (fgets(text, sizeof text, f)) {
        line++;
        text[strcspn(text, "\n")] = 0;
        if (text[0] == '#' || text[0] == 0)
            continue;
        char *kind = strtok(text, " ");
        if (strcmp(kind, "crc") == 0) {
            size_t n = unhex(strtok(NULL, " "), a, sizeof a);
            unsigned want = (unsigned)strtoul(strtok(NULL, " "), NULL, 16);
            checked++;
            if (nmtp_crc16(a, n, 0xFFFF) != want)
                fail(line, "crc differs");
        } else if (strcmp(kind, "cobs") == 0) {
            size_t n = unhex(strtok(NULL, " "), a, sizeof a);
            size_t m = unhex(strtok(NULL, " "), b, sizeof b);
            size_t k = nmtp_cobs_encode(a, n, c);
            same(line, "cobs encoding", c, k, b, m);
            int d = nmtp_cobs_decode(b, m, c);
            same(line, "cobs decoding", c, d < 0 ? 0 : (size_t)d, a, d < 0 ? 1 : n);
        } else if (strcmp(kind, "samples") == 0) {
            unsigned long seq = strtoul(strtok(NULL, " "), NULL, 10);
            unsigned long t0 = strtoul(strtok(NULL, " "), NULL, 10);
            unsigned long dt = strtoul(strtok(NULL, " "), NULL, 10);
            unsigned long flags = strtoul(strtok(NULL, " "), NULL, 10);
            char *list = strtok(NULL, " ");
            size_t m = unhex(strtok(NULL, " "), b, sizeof b);
            int32_t counts[255];
            uint8_t n = 0;
            for (char *p = strtok(list, ","); p; p = strtok(NULL, ","))
                counts[n++] = (int32_t)strtol(p, NULL, 10);
            /* list was the last token strtok saw: the frame was taken before it */
            size_t k = nmtp_encode_samples(c, sizeof c, (uint16_t)seq, (uint32_t)t0, (uint16_t)dt,
                                           (uint8_t)flags, counts, n);
            same(line, "SAMPLES frame", c, k, b, m);
        } else if (strcmp(kind, "text") == 0) {
            unsigned type = (unsigned)strtoul(strtok(NULL, " "), NULL, 10);
            size_t n = unhex(strtok(NULL, " "), a, sizeof a);
            size_t m = unhex(strtok(NULL, " "), b, sizeof b);
            size_t k = nmtp_encode_text(c, sizeof c, (uint8_t)type, (const char *)a, n);
            same(line, "text frame", c, k, b, m);
        } else if (strcmp(kind, "rx") == 0) {
            size_t n = unhex(strtok(NULL, " "), a, sizeof a);
            char *want = strtok(NULL, " ");
            static char heard[4096];
            heard[0] = 0;
            nmtp_rx_t rx;
            nmtp_rx_init(&rx);
            char cmd[NMTP_RX_MAX + 1];
            for (size_t i = 0; i < n; i++) {
                int len = nmtp_rx_byte(&rx, a[i], cmd);
                if (len > 0) {
                    if (heard[0])
                        strcat(heard, "|");
                    for (int j = 0; j < len; j++)
                        sprintf(heard + strlen(heard), "%02x", (uint8_t)cmd[j]);
                }
            }
            checked++;
            if (strcmp(heard[0] ? heard : "-", want) != 0) {
                char msg[160];
                snprintf(msg, sizeof msg, "commands heard: %.60s, want %.60s", heard[0] ? heard : "-", want);
                fail(line, msg);
            }
        } else {
            fail(line, "unknown vector kind");
        }
    }
    fclose(f);
    printf("nmtp vectors: %d checked, %d failed\n", checked, failures);
    return failures ? 1 : checked == 0;
}
