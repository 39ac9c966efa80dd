/* nmt-avr-emu: the firmware binary (firmware.elf) on an emulated ATmega328P (simavr), with UART0 on a
 * pseudo-terminal and an HX711 on its pins, paced to real time.
 *
 *   nmt-avr-emu FIRMWARE.elf [--eeprom FILE | --eeprom-image FILE] [--rate-pin-tied]
 *
 * Standard output: one line, "port: /dev/pts/N" (open it as the board's serial port). Standard input:
 * what the load cell sees, as text lines in device-time order (python -m firmware_sim --board avr
 * writes them from the project's hand and sensor model):
 *
 *   c V1 V2 ...      raw counts of the cell, one per millisecond of device time (the next ones)
 *   b T_US MS        the marker button is pressed at device time T_US for MS milliseconds
 *   d T_US 0|1       DOUT stuck high from T_US (1: a loose wire) or working again (0)
 *
 * The HX711 model converts at 10 or 80 SPS as the RATE pin says; each conversion is the mean of the
 * counts over its window (so the noise shrinks with the rate, as a sigma-delta converter's does),
 * clipped to 24 bits, shifted out MSB first on PD_SCK's rising edges, with the 25th pulse ending it.
 * PD_SCK high for over 60 us powers it down; it restarts with 4 conversions of settling.
 * --rate-pin-tied models the common module whose RATE pin is tied to GND: 10 SPS whatever PD5 says.
 *
 * Why not simavr's uart_pty part: it prints to stdout, makes one fixed /tmp link (parallel runs clash),
 * polls every 0.5 ms, drops silently when its 512-byte buffer fills, and its stop can hang. This bridge
 * keeps a 64 KiB queue, writes without blocking, and when nobody has read for a second it discards
 * the stale bytes (counted) so that a reader who comes late gets fresh data.
 *
 * Ends on SIGTERM/SIGINT or at the end of standard input; writes --eeprom FILE back at exit, so the
 * calibration survives like a real board's (--eeprom-image FILE is only read: a board for one run). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <avr_adc.h>
#include <avr_eeprom.h>
#include <avr_extint.h>
#include <avr_ioport.h>
#include <avr_uart.h>
#include <sim_avr.h>
#include <sim_elf.h>

#define FREQ 16000000UL
#define CYCLES_PER_US (FREQ / 1000000UL)
/* Pacing: the emulator runs this much device time between looks at the wall clock and the pty. */
#define SLICE_CYCLES (FREQ / 1000)
/* Lagging (a busy machine) more than this, it does not sprint to catch up: device time just runs
 * behind (every time the host sees is the device's own clock, so nothing depends on it). */
#define MAX_LAG_NS 100000000LL
#define OUT_QUEUE (64 * 1024)
#define IN_QUEUE 4096
#define STALE_NS 1000000000LL
#define COUNTS_RING 8192 /* ms of counts kept (a 10 SPS window needs 100) */
#define EEPROM_SIZE 1024

static avr_t *avr;
static volatile sig_atomic_t stopping;

/* ---- the cell's counts, one per ms ----------------------------------------------------------------- */
static int32_t counts[COUNTS_RING];
static uint64_t counts_end; /* counts[k % RING] holds ms k (k = 1 .. counts_end) */
static int input_done;
static char line_buf[1 << 16];
static size_t line_len;

/* Timed events from standard input, applied when device time reaches them. */
typedef struct {
    char kind;
    uint64_t t_us;
    uint32_t arg;
} event_t;
static event_t events[256];
static int n_events;

static uint64_t now_us(void)
{
    return avr->cycle / CYCLES_PER_US;
}

static void parse_line(char *s)
{
    char *end;
    if (s[0] == 'c') {
        s++;
        for (;;) {
            long v = strtol(s, &end, 10);
            if (end == s)
                break;
            counts_end++;
            counts[counts_end % COUNTS_RING] = (int32_t)v;
            s = end;
        }
    } else if ((s[0] == 'b' || s[0] == 'd') && n_events < (int)(sizeof events / sizeof events[0])) {
        event_t e = {s[0], 0, 0};
        e.t_us = strtoull(s + 1, &end, 10);
        e.arg = (uint32_t)strtoul(end, NULL, 10);
        events[n_events++] = e;
    }
}

/* Parse standard input until counts up to ms `upto` are there, no further (the ring holds a few
 * seconds; the hand model writes far ahead, held back by the pipe). Blocks when the model lags. */
static void feed_until(uint64_t upto)
{
    size_t pos = 0;
    while (counts_end < upto && !input_done && !stopping) {
        char *nl = memchr(line_buf + pos, '\n', line_len - pos);
        if (nl) {
            *nl = 0;
            parse_line(line_buf + pos);
            pos = (size_t)(nl - line_buf) + 1;
            continue;
        }
        memmove(line_buf, line_buf + pos, line_len - pos);
        line_len -= pos;
        pos = 0;
        if (line_len >= sizeof line_buf - 1)
            line_len = 0; /* an over-long line: not ours */
        ssize_t n = read(0, line_buf + line_len, sizeof line_buf - 1 - line_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            input_done = 1;
            stopping = 1; /* the hand model is gone: so is the board */
            break;
        }
        line_len += (size_t)n;
    }
    memmove(line_buf, line_buf + pos, line_len - pos);
    line_len -= pos;
}

/* ---- HX711 ------------------------------------------------------------------------------------------ */
static avr_irq_t *irq_dout, *irq_button;
static struct {
    int rate80;
    int stuck;          /* DOUT held high (fault) */
    int powered;
    int ready;          /* a conversion waits to be shifted out */
    int shifting;       /* pulses so far in this readout */
    uint32_t data;      /* 24-bit result being shifted */
    uint32_t latest;    /* newest conversion */
    uint64_t sck_rise;  /* cycle of the last rising edge */
    int sck;
    uint64_t conversions, saturated;
} hx;

static void set_dout(int level)
{
    avr_raise_irq(irq_dout, hx.stuck ? 1 : level);
}

static uint32_t period_us(void)
{
    return hx.rate80 ? 12500 : 100000;
}

static avr_cycle_count_t conversion_done(avr_t *a, avr_cycle_count_t when, void *param);

static void restart_conversions(int settle)
{
    avr_cycle_timer_cancel(avr, conversion_done, NULL);
    hx.ready = 0;
    hx.shifting = 0;
    set_dout(1);
    avr_cycle_timer_register(avr, (avr_cycle_count_t)(settle ? 4 : 1) * period_us() * CYCLES_PER_US,
                             conversion_done, NULL);
}

static avr_cycle_count_t conversion_done(avr_t *a, avr_cycle_count_t when, void *param)
{
    (void)param;
    uint64_t t = when / CYCLES_PER_US;
    uint64_t last_ms = t / 1000, first_ms = (t > period_us() ? t - period_us() : 0) / 1000 + 1;
    feed_until(last_ms);
    int64_t sum = 0, n = 0;
    for (uint64_t k = first_ms; k <= last_ms && k <= counts_end; k++) {
        if (k + COUNTS_RING <= counts_end)
            continue; /* overwritten: cannot happen with the ring's size, but never read stale */
        sum += counts[k % COUNTS_RING];
        n++;
    }
    int64_t v = n ? (sum >= 0 ? (sum + n / 2) / n : -((-sum + n / 2) / n)) : 0;
    if (v > 0x7FFFFF || v < -0x800000)
        hx.saturated++;
    if (v > 0x7FFFFF)
        v = 0x7FFFFF;
    if (v < -0x800000)
        v = -0x800000;
    hx.latest = (uint32_t)v & 0xFFFFFF;
    hx.conversions++;
    if (!hx.shifting) {
        hx.data = hx.latest;
        hx.ready = 1;
        set_dout(0);
    }
    return when + (avr_cycle_count_t)period_us() * CYCLES_PER_US;
    (void)a;
}

static void sck_changed(avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    (void)param;
    int level = value ? 1 : 0;
    if (level == hx.sck)
        return;
    hx.sck = level;
    if (level) {
        hx.sck_rise = avr->cycle;
        if (!hx.powered)
            return;
        if (hx.ready && hx.shifting < 24) {
            set_dout((hx.data >> (23 - hx.shifting)) & 1);
            hx.shifting++;
        } else if (hx.shifting >= 24) {
            hx.shifting = 0; /* the 25th pulse: channel A, gain 128 next; DOUT high till the next one */
            hx.ready = 0;
            set_dout(1);
        }
    } else {
        if (avr->cycle - hx.sck_rise > 60 * CYCLES_PER_US) {
            /* Held high over 60 us: powered down; now low again it powers up and settles. */
            restart_conversions(1);
        }
        hx.powered = 1;
    }
}

static int rate_pin_tied; /* --rate-pin-tied: RATE tied to GND on the module, 10 SPS for good */

static void rate_changed(avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    (void)param;
    int r = value && !rate_pin_tied ? 1 : 0;
    if (r != hx.rate80) {
        hx.rate80 = r;
        restart_conversions(1);
    }
}

static avr_cycle_count_t button_release(avr_t *a, avr_cycle_count_t when, void *param)
{
    (void)a;
    (void)when;
    (void)param;
    avr_raise_irq(irq_button, 1);
    return 0;
}

static void apply_events(void)
{
    uint64_t t = now_us();
    int kept = 0;
    for (int i = 0; i < n_events; i++) {
        event_t e = events[i];
        if (e.t_us > t) {
            events[kept++] = e;
            continue;
        }
        if (e.kind == 'b') {
            avr_raise_irq(irq_button, 0);
            avr_cycle_timer_register(avr, (avr_cycle_count_t)e.arg * 1000 * CYCLES_PER_US, button_release,
                                     NULL);
        } else if (e.kind == 'd') {
            hx.stuck = e.arg != 0;
            avr_raise_irq(irq_dout, hx.stuck ? 1 : (hx.ready && !hx.shifting ? 0 : 1));
        }
    }
    n_events = kept;
}

/* ---- UART0 <-> pseudo-terminal ---------------------------------------------------------------------- */
static uint8_t outq[OUT_QUEUE];
static size_t out_head, out_len;
static uint8_t inq[IN_QUEUE];
static size_t in_head, in_len;
static int uart_xon = 1;
static avr_irq_t *irq_uart_in;
static uint64_t bytes_out, bytes_in, bytes_dropped, bytes_flushed;

static void uart_out(avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    (void)param;
    if (out_len == OUT_QUEUE) {
        bytes_dropped++;
        return;
    }
    outq[(out_head + out_len) % OUT_QUEUE] = (uint8_t)value;
    out_len++;
}

static void uart_push(void)
{
    while (uart_xon && in_len) {
        uint8_t c = inq[in_head];
        in_head = (in_head + 1) % IN_QUEUE;
        in_len--;
        avr_raise_irq(irq_uart_in, c);
    }
}

static void uart_xon_cb(avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    (void)value;
    (void)param;
    uart_xon = 1;
    uart_push();
}

static void uart_xoff_cb(avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    (void)value;
    (void)param;
    uart_xon = 0;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void no_sleep(avr_t *a, avr_cycle_count_t how_long)
{
    (void)a;
    (void)how_long; /* the pacing loop below waits, on the pty, instead of usleep */
}

static void eeprom_io(const char *path, int save)
{
    static uint8_t ee[EEPROM_SIZE];
    avr_eeprom_desc_t d = {.ee = ee, .offset = 0, .size = EEPROM_SIZE};
    if (save) {
        /* simavr's EEPROM ioctls return -1 even when they did their job (1.6): judge by the data. */
        memset(ee, 0, sizeof ee);
        d.ee = NULL; /* a pointer to the emulated EEPROM itself */
        avr_ioctl(avr, AVR_IOCTL_EEPROM_GET, &d);
        if (!d.ee) {
            fprintf(stderr, "nmt-avr-emu: cannot read the emulated EEPROM; %s not written\n", path);
            return;
        }
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *f = fopen(tmp, "wb");
        if (!f || fwrite(d.ee, 1, EEPROM_SIZE, f) != EEPROM_SIZE) {
            fprintf(stderr, "nmt-avr-emu: cannot write %s\n", tmp);
            if (f)
                fclose(f);
            return;
        }
        fclose(f);
        rename(tmp, path);
        return;
    }
    memset(ee, 0xFF, sizeof ee); /* an erased EEPROM */
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t n = fread(ee, 1, EEPROM_SIZE, f);
        (void)n;
        fclose(f);
    }
    avr_ioctl(avr, AVR_IOCTL_EEPROM_SET, &d);
}

int main(int argc, char **argv)
{
    const char *elf = NULL, *eeprom = NULL, *image = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--eeprom") && i + 1 < argc)
            eeprom = argv[++i];
        else if (!strcmp(argv[i], "--eeprom-image") && i + 1 < argc)
            image = argv[++i];
        else if (!strcmp(argv[i], "--rate-pin-tied"))
            rate_pin_tied = 1;
        else if (argv[i][0] != '-' && !elf)
            elf = argv[i];
        else {
            fprintf(stderr, "usage: %s FIRMWARE.elf [--eeprom FILE | --eeprom-image FILE] [--rate-pin-tied]\n", argv[0]);
            return 2;
        }
    }
    if (!elf) {
        fprintf(stderr, "usage: %s FIRMWARE.elf [--eeprom FILE]\n", argv[0]);
        return 2;
    }
    /* Standard output carries the port line alone: simavr's own messages ("Loaded ... .text") go to
     * standard error with everything else. */
    int port_fd = dup(1);
    dup2(2, 1);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    elf_firmware_t fw;
    memset(&fw, 0, sizeof fw);
    if (elf_read_firmware(elf, &fw) != 0) {
        fprintf(stderr, "nmt-avr-emu: cannot read %s (build it with make firmware)\n", elf);
        return 2;
    }
    avr = avr_make_mcu_by_name("atmega328p");
    if (!avr) {
        fprintf(stderr, "nmt-avr-emu: this simavr has no atmega328p\n");
        return 2;
    }
    avr_init(avr);
    avr_load_firmware(avr, &fw);
    avr->frequency = FREQ;
    avr->log = 0;
    avr->sleep = no_sleep;
    /* While an INT0/INT1 pin is low simavr re-checks it every cycle, even with the interrupt off, unless
     * strict level triggering is off: DOUT (PD2) is low between conversions being ready and read. */
    avr_extint_set_strict_lvl_trig(avr, 0, 0);
    avr_extint_set_strict_lvl_trig(avr, 1, 0);
    if (eeprom || image)
        eeprom_io(eeprom ? eeprom : image, 0);

    /* UART0: no console printing, no usleep while the firmware polls. */
    uint32_t flags = 0;
    avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
    flags &= ~(uint32_t)(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
    avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_out, NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), uart_xon_cb,
                            NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), uart_xoff_cb,
                            NULL);
    irq_uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);

    /* The HX711 on PD2 (DOUT), PD3 (SCK), PD5 (RATE); the button on PD4; the chip's own thermometer. */
    irq_dout = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 2);
    irq_button = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 4);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 3), sck_changed, NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 5), rate_changed, NULL);
    avr_raise_irq(irq_button, 1);
    avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_TEMP), 314);
    hx.powered = 1;
    restart_conversions(1);

    /* The pseudo-terminal; this process keeps the slave open too, so it never hangs up. */
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) || unlockpt(master)) {
        fprintf(stderr, "nmt-avr-emu: cannot open a pseudo-terminal (%s)\n", strerror(errno));
        return 2;
    }
    const char *slave_name = ptsname(master);
    int slave = open(slave_name, O_RDWR | O_NOCTTY);
    struct termios tio;
    if (slave >= 0 && tcgetattr(slave, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(slave, TCSANOW, &tio);
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    dprintf(port_fd, "port: %s\n", slave_name);
    close(port_fd);

    int64_t t0 = mono_ns();
    int64_t stuck_since = 0;
    int state = cpu_Running;
    while (!stopping && state != cpu_Done && state != cpu_Crashed) {
        avr_cycle_count_t slice_end = avr->cycle + SLICE_CYCLES;
        while (avr->cycle < slice_end && state != cpu_Done && state != cpu_Crashed)
            state = avr_run(avr);
        feed_until(now_us() / 1000 + 20);
        apply_events();

        int64_t emu_ns = (int64_t)(avr->cycle * 1000 / CYCLES_PER_US);
        int64_t now = mono_ns();
        int64_t lead = emu_ns - (now - t0);
        if (lead < -MAX_LAG_NS) {
            t0 += -lead - MAX_LAG_NS; /* behind: carry on from here, do not sprint */
            lead = -MAX_LAG_NS;
        }
        struct pollfd pfd = {.fd = master, .events = POLLIN | (out_len ? POLLOUT : 0)};
        struct timespec wait = {0, lead > 0 ? (long)lead : 0};
        if (ppoll(&pfd, 1, &wait, NULL) > 0) {
            if (pfd.revents & POLLIN) {
                while (in_len < IN_QUEUE) {
                    size_t tail = (in_head + in_len) % IN_QUEUE;
                    size_t room = tail >= in_head ? IN_QUEUE - tail : in_head - tail;
                    ssize_t n = read(master, inq + tail, room);
                    if (n <= 0)
                        break;
                    in_len += (size_t)n;
                    bytes_in += (uint64_t)n;
                }
            }
        }
        uart_push();
        while (out_len) {
            size_t chunk = out_head + out_len > OUT_QUEUE ? OUT_QUEUE - out_head : out_len;
            ssize_t n = write(master, outq + out_head, chunk);
            if (n <= 0)
                break;
            out_head = (out_head + (size_t)n) % OUT_QUEUE;
            out_len -= (size_t)n;
            bytes_out += (uint64_t)n;
            stuck_since = 0;
        }
        if (out_len) {
            /* Nobody reads: after a second the stale bytes go (queue and the pty's own buffer). */
            if (!stuck_since)
                stuck_since = now;
            else if (now - stuck_since > STALE_NS && slave >= 0) {
                int pending = 0;
                if (ioctl(slave, FIONREAD, &pending) == 0)
                    bytes_flushed += (uint64_t)pending;
                tcflush(slave, TCIFLUSH);
                bytes_flushed += out_len;
                out_len = 0;
                stuck_since = 0;
            }
        }
    }
    if (state == cpu_Crashed)
        fprintf(stderr, "nmt-avr-emu: the firmware crashed at pc=0x%x\n", avr->pc);
    if (eeprom)
        eeprom_io(eeprom, 1);
    fprintf(stderr, "nmt-avr-emu: stopped at device time %.3f s: %llu conversions (%llu saturated), "
            "%llu bytes out, %llu in, %llu dropped (queue full), %llu discarded (nobody read)\n",
            (double)now_us() / 1e6, (unsigned long long)hx.conversions, (unsigned long long)hx.saturated,
            (unsigned long long)bytes_out, (unsigned long long)bytes_in, (unsigned long long)bytes_dropped,
            (unsigned long long)bytes_flushed);
    close(master);
    if (slave >= 0)
        close(slave);
    return state == cpu_Crashed ? 1 : 0;
}
