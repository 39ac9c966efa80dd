/* nmt-avr: open firmware for a load cell on an HX711 and an ATmega328P (Arduino Uno/Nano), speaking
 * nmtp (docs/PROTOCOL.md) over the USB-serial line at 115200 baud.
 *
 * The loop: take every HX711 conversion (stamped by the DOUT interrupt with a microsecond clock from
 * Timer1), send it as a SAMPLES block while streaming, answer commands (COMMAND frames or typed lines),
 * and sleep in between. A watchdog resets the chip if the loop ever stops; a silent HX711 is reported
 * and restarted. Calibration, serial number and rate live in EEPROM (settings.c). */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <avr/sleep.h>
#include <avr/wdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <util/atomic.h>

#include "board.h"
#include "hx711.h"
#include "nmtp.h"
#include "settings.h"
#include "uart.h"

#define FW_NAME "nmt-avr"
#define FW_VERSION "1.0"
#define TARE_READINGS 10
/* No conversion for this long: the HX711 is not answering (wiring, power); it is restarted. */
#define ADC_TIMEOUT_US 1000000UL
/* A second press of the marker button within this time is contact bounce. */
#define BUTTON_DEBOUNCE_US 50000UL

/* ---- the reset cause, read before anything clears it (avr-libc's recipe for the watchdog) -------- */
uint8_t mcusr_at_boot __attribute__((section(".noinit")));
void early_init(void) __attribute__((naked, used, section(".init3")));
void early_init(void)
{
    mcusr_at_boot = MCUSR;
    MCUSR = 0;
    wdt_disable();
}

/* ---- microsecond clock: Timer1 at F_CPU/8 = 2 MHz, overflowing every 32 768 us ------------------- */
static volatile uint32_t t1_overflows;

ISR(TIMER1_OVF_vect)
{
    t1_overflows++;
}

static void clock_init(void)
{
    TCCR1A = 0;
    TCCR1B = _BV(CS11);
    TIMSK1 = _BV(TOIE1);
}

/* Device time in us (wraps every 2^32 us = 71.6 min, as nmtp's t0_us does). */
static uint32_t micros(void)
{
    uint32_t ovf;
    uint16_t ticks;
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE)
    {
        ovf = t1_overflows;
        ticks = TCNT1;
        if ((TIFR1 & _BV(TOV1)) && ticks < 0x8000)
            ovf++; /* overflowed just now, its interrupt still pending */
    }
    return ovf * 32768UL + (ticks >> 1);
}

/* ---- conversions ready (DOUT falls) and the marker button (pin change), stamped in interrupts ------ */
static volatile uint8_t adc_ready;
static volatile uint32_t adc_ready_us;
static volatile uint8_t mark_pending;
static volatile uint32_t last_press_us;
static volatile uint16_t presses;

ISR(INT0_vect)
{
    adc_ready_us = micros();
    adc_ready = 1;
    EIMSK &= (uint8_t)~_BV(INT0); /* the readout toggles DOUT: quiet until it is done */
}

ISR(PCINT2_vect)
{
    if (BTN_PIN & _BV(BTN_BIT))
        return; /* released */
    uint32_t now = micros();
    if (presses && now - last_press_us < BUTTON_DEBOUNCE_US)
        return;
    last_press_us = now;
    presses++;
    mark_pending = 1;
}

static void adc_arm(void)
{
    EIFR = _BV(INTF0);
    EIMSK |= _BV(INT0);
}

/* ---- state -------------------------------------------------------------------------------------- */
static settings_t cfg;
static uint8_t streaming;
static uint16_t seq;
static uint8_t tared_pending;
static uint8_t overload;
static int32_t recent[TARE_READINGS];
static uint8_t recent_n, recent_i;
static uint32_t last_conv_us, prev_conv_us;
static uint32_t period_us; /* measured interval between conversions, smoothed */
/* The rate the chip really converts at: most HX711 modules tie RATE to GND in copper (10/s) whatever
 * D5 says. Measured after a few conversions; 0 until then. */
static uint8_t hw_rate;
static uint8_t since_rate; /* conversions since the rate was set (saturating) */
static uint8_t rate_told;
static uint8_t adc_ok = 1;
static uint32_t adc_restarts;
static uint32_t conversions;
static uint32_t blocks_dropped;
static nmtp_rx_t rx;
static char text[NMTP_TEXT_MAX + 1];
static uint8_t frame[NMTP_FRAME_MAX];

/* ---- output ------------------------------------------------------------------------------------- */
/* fmt is in flash (PSTR): 2 KiB of RAM cannot hold the firmware's texts. */
static void send_text(uint8_t type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf_P(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > NMTP_TEXT_MAX)
        n = NMTP_TEXT_MAX;
    size_t len = nmtp_encode_text(frame, sizeof frame, type, text, (size_t)n);
    /* Every command gets its reply: wait for room (a full buffer drains in 22 ms at 115200 baud). */
    while (!uart_send(frame, len)) {
        uart_tx_dropped--; /* not dropped: retried */
        wdt_reset();
    }
}

#define reply(fmt, ...) send_text(NMTP_RESPONSE, PSTR(fmt), ##__VA_ARGS__)
#define banner(fmt, ...) send_text(NMTP_BANNER, PSTR(fmt), ##__VA_ARGS__)

static char *fmt_float(char *buf, float v, uint8_t decimals)
{
    dtostrf(v, 0, decimals, buf);
    return buf;
}

/* ---- samples ------------------------------------------------------------------------------------ */
static int32_t reading(void)
{
    int32_t sum = 0;
    uint8_t n = recent_n ? recent_n : 1;
    for (uint8_t i = 0; i < recent_n; i++)
        sum += recent[i] / n;
    int32_t rest = 0;
    for (uint8_t i = 0; i < recent_n; i++)
        rest += recent[i] % n;
    return sum + rest / n; /* the mean without overflowing 32 bits */
}

static uint8_t actual_rate(void)
{
    return hw_rate ? hw_rate : cfg.rate;
}

static uint16_t dt_field(void)
{
    /* 80 SPS: 12 500 us; 10 SPS does not fit in 16 bits: 0 (allowed, one sample per block). */
    return actual_rate() == 80 ? 12500 : 0;
}

static void check_rate(void)
{
    if (since_rate < 255)
        since_rate++;
    if (since_rate < 8 || !period_us)
        return;
    hw_rate = period_us > 40000UL ? 10 : 80;
    if (hw_rate != cfg.rate && !rate_told) {
        rate_told = 1;
        banner("hx711 converts at %u samples/s, not the %u set: its RATE pin is tied on the board "
               "(docs/HARDWARE.md); RATE %u matches it", hw_rate, cfg.rate, hw_rate);
    }
}

static void take(int32_t count, uint32_t t_us)
{
    conversions++;
    recent[recent_i] = count;
    recent_i = (uint8_t)((recent_i + 1) % TARE_READINGS);
    if (recent_n < TARE_READINGS)
        recent_n++;
    overload = (count >= HX711_MAX || count <= HX711_MIN);
    if (prev_conv_us) {
        uint32_t d = t_us - prev_conv_us;
        if (d < 2 * 100000UL)
            period_us = period_us ? period_us - period_us / 16 + d / 16 : d;
    }
    prev_conv_us = t_us;
    last_conv_us = t_us;
    check_rate();
    if (!streaming)
        return;
    uint8_t flags = 0;
    if (tared_pending)
        flags |= NMTP_FLAG_TARED;
    if (mark_pending)
        flags |= NMTP_FLAG_MARKER;
    if (overload)
        flags |= NMTP_FLAG_OVERLOAD;
    size_t len = nmtp_encode_samples(frame, sizeof frame, seq, t_us, dt_field(), flags, &count, 1);
    seq++; /* a dropped block leaves a gap in the numbers: the host counts it */
    if (uart_send(frame, len)) {
        tared_pending = 0;
        mark_pending = 0;
        LED_PORT ^= _BV(LED_BIT);
    } else {
        blocks_dropped++;
    }
}

static void poll_adc(void)
{
    uint8_t ready = adc_ready;
    uint32_t t_us = adc_ready_us;
    if (!ready && hx711_ready()) {
        /* Ready without its interrupt: it came while the interrupt was off, or before it was armed
         * (re-arming clears a pending edge). Stamped now, a little late rather than missed. */
        EIMSK &= (uint8_t)~_BV(INT0);
        ready = 1;
        t_us = micros();
    }
    if (ready) {
        int32_t v = hx711_read();
        adc_ready = 0;
        adc_arm();
        if (!adc_ok) {
            adc_ok = 1;
            banner("hx711 answering again");
        }
        take(v, t_us);
        return;
    }
    if (!(EIMSK & _BV(INT0)))
        adc_arm();
    uint32_t now = micros();
    if (now - last_conv_us > ADC_TIMEOUT_US) {
        if (adc_ok)
            banner("hx711 not answering for 1 s: check its wiring (DOUT to D2, SCK to D3, VCC, GND); "
                   "restarting it");
        adc_ok = 0;
        adc_restarts++;
        hx711_power_cycle();
        last_conv_us = now;
    }
}

/* Wait for a conversion (for the boot tare); 0 if none within the timeout. */
static uint8_t wait_conversion(void)
{
    uint32_t start = micros();
    while (micros() - start < 2 * ADC_TIMEOUT_US) {
        wdt_reset();
        if (adc_ready || hx711_ready()) {
            uint32_t t_us = adc_ready ? adc_ready_us : micros();
            int32_t v = hx711_read();
            adc_ready = 0;
            adc_arm();
            uint8_t s = streaming;
            streaming = 0;
            take(v, t_us);
            streaming = s;
            return 1;
        }
    }
    return 0;
}

/* ---- commands ----------------------------------------------------------------------------------- */
static const char *reset_cause(void)
{
    if (mcusr_at_boot & _BV(WDRF))
        return "watchdog";
    if (mcusr_at_boot & _BV(BORF))
        return "brownout";
    if (mcusr_at_boot & _BV(EXTRF))
        return "external";
    return "power";
}

static int16_t temperature_c10(void)
{
    /* The chip's own sensor (ADC channel 8, 1.1 V reference): about 314 mV at 25 C, 1 mV per C;
     * uncalibrated, so within about 10 C. Tenths of a degree. */
    ADMUX = _BV(REFS1) | _BV(REFS0) | 8;
    ADCSRA = _BV(ADEN) | _BV(ADSC) | _BV(ADPS2) | _BV(ADPS1) | _BV(ADPS0);
    while (ADCSRA & _BV(ADSC))
        ;
    uint16_t raw = ADCW;
    ADCSRA = 0;
    int32_t mv10 = (int32_t)raw * 11000L / 1024; /* tenths of a mV */
    return (int16_t)(mv10 - 3140 + 250);
}

static void cmd_id(void)
{
    char s[16];
    /* rate: what the chip really does (the host paces its watchdog by it); rate_set: what RATE set. */
    reply("id name=" FW_NAME " fw=" FW_VERSION " serial=%s adc=hx711 rate=%u scale=%s offset=%ld "
          "board=atmega328p cal=%s rate_set=%u",
          cfg.serial, actual_rate(), fmt_float(s, cfg.scale, 3), (long)cfg.offset,
          cfg.calibrated ? "eeprom" : "default", cfg.rate);
}

static void cmd_status(void)
{
    char hz[12], tc[10];
    int16_t t = temperature_c10();
    uint32_t up = micros();
    uint32_t p = period_us;
    reply("status streaming=%u rate=%u seq=%u uptime_us=%lu overload=%u temp_c=%s adc_ok=%u "
          "measured_hz=%s dropped=%lu rx_overruns=%u "
          "crc_errors=%u corrected=%u adc_restarts=%lu presses=%u reset=%s",
          streaming, cfg.rate, seq, (unsigned long)up, overload, fmt_float(tc, t / 10.0f, 1), adc_ok,
          fmt_float(hz, p ? 1e6f / (float)p : 0.0f, 2),
          (unsigned long)blocks_dropped, uart_rx_overruns, rx.crc_errors, rx.corrected,
          (unsigned long)adc_restarts, presses, reset_cause());
}

static void cmd_cal(const char *arg)
{
    char *end;
    double n = arg ? strtod(arg, &end) : 0.0;
    if (!arg || *end || !(n > 0.0)) {
        reply("err cal needs the applied force in newtons, e.g. CAL 49.03");
        return;
    }
    int32_t delta = reading() - cfg.offset;
    if (labs(delta) < 100) {
        reply("err cal no load on the cell (apply the known force, or TARE first)");
        return;
    }
    cfg.scale = (float)((double)delta / n);
    cfg.calibrated = 1;
    settings_save(&cfg);
    char s[16];
    reply("ok cal scale=%s", fmt_float(s, cfg.scale, 3));
}

static void command(char *line)
{
    static const char sep[] = " \t";
    char *cmd = strtok(line, sep);
    char *arg = strtok(NULL, sep);
    char *extra = strtok(NULL, sep);
    if (!cmd)
        return;
    strupr(cmd);
    uint8_t bare = (arg == NULL);
    if (!strcmp_P(cmd, PSTR("ID")) && bare) {
        cmd_id();
    } else if (!strcmp_P(cmd, PSTR("TARE")) && bare) {
        cfg.offset = reading();
        tared_pending = 1;
        settings_save(&cfg);
        reply("ok tare offset=%ld", (long)cfg.offset);
    } else if (!strcmp_P(cmd, PSTR("CAL")) && !extra) {
        cmd_cal(arg);
    } else if (!strcmp_P(cmd, PSTR("RATE")) && arg && !extra) {
        char *end;
        long hz = strtol(arg, &end, 10);
        if (*end == '.') /* "80.0" is 80 */
            for (end++; *end == '0'; end++)
                ;
        if (*end || (hz != 10 && hz != 80)) {
            reply("err rate unsupported rates=10,80");
            return;
        }
        if (cfg.rate != hz) {
            cfg.rate = (uint8_t)hz;
            hx711_set_rate(cfg.rate);
            period_us = 0;
            prev_conv_us = 0;
            hw_rate = since_rate = rate_told = 0;
            settings_save(&cfg);
        }
        reply("ok rate=%u", cfg.rate);
    } else if (!strcmp_P(cmd, PSTR("START")) && bare) {
        streaming = 1;
        LED_PORT |= _BV(LED_BIT);
        reply("ok streaming=1");
    } else if (!strcmp_P(cmd, PSTR("STOP")) && bare) {
        streaming = 0; /* blocks of one sample: nothing partial to send first */
        LED_PORT &= (uint8_t)~_BV(LED_BIT);
        reply("ok streaming=0");
    } else if (!strcmp_P(cmd, PSTR("STATUS")) && bare) {
        cmd_status();
    } else if (!strcmp_P(cmd, PSTR("MARK")) && bare) {
        mark_pending = 1;
        reply("ok mark");
    } else {
        reply("err unknown command");
    }
}

static void poll_rx(void)
{
    int16_t c;
    while ((c = uart_getc()) >= 0) {
        if (nmtp_rx_byte(&rx, (uint8_t)c, text) > 0) {
            static char line[NMTP_RX_MAX + 1];
            strcpy(line, text);
            command(line);
        }
    }
}

/* ---- boot --------------------------------------------------------------------------------------- */
static void make_serial(uint32_t noise)
{
    /* The ATmega328P has no serial number: one is made from the HX711's noise and the clock at the
     * first boot, then kept in EEPROM. */
    noise ^= micros() * 2654435761UL;
    snprintf_P(cfg.serial, sizeof cfg.serial, PSTR("AVR%06lX"), (unsigned long)(noise & 0xFFFFFFUL));
}

int main(void)
{
    LED_DDR |= _BV(LED_BIT);
    BTN_PORT |= _BV(BTN_BIT); /* pull-up: pressed pulls it to GND */
    PCICR |= _BV(PCIE2);
    PCMSK2 |= _BV(PCINT20);
    EICRA = _BV(ISC01); /* INT0 on the falling edge of DOUT: a conversion is ready */
    clock_init();
    uart_init();
    uint8_t stored = settings_load(&cfg);
    if (cfg.rate != 10 && cfg.rate != 80)
        cfg.rate = 80;
    hx711_init(cfg.rate);
    nmtp_rx_init(&rx);
    set_sleep_mode(SLEEP_MODE_IDLE);
    sei();
    wdt_enable(WDTO_1S);

    /* Power-on tare: the mean of ten conversions with nothing on the cell. */
    uint32_t noise = 0;
    uint8_t got = 0;
    for (uint8_t i = 0; i < TARE_READINGS; i++) {
        if (!wait_conversion())
            break;
        noise = (noise << 3) ^ (uint32_t)recent[(recent_i + TARE_READINGS - 1) % TARE_READINGS];
        got++;
    }
    if (got == TARE_READINGS)
        cfg.offset = reading();
    else
        adc_ok = 0;
    if (!stored || !cfg.serial[0]) {
        if (!cfg.serial[0])
            make_serial(noise);
        settings_save(&cfg); /* the serial number is kept from now on */
    }
    char s[16];
    banner(FW_NAME " fw " FW_VERSION " ready serial=%s adc=hx711 rate=%u scale=%s offset=%ld cal=%s reset=%s",
           cfg.serial, cfg.rate, fmt_float(s, cfg.scale, 3), (long)cfg.offset,
           cfg.calibrated ? "eeprom" : "default", reset_cause());
    if (!adc_ok)
        banner("hx711 not answering at power-up: check its wiring (DOUT to D2, SCK to D3, VCC, GND)");
    tared_pending = 1;
    streaming = 1;
    LED_PORT |= _BV(LED_BIT);
    last_conv_us = micros();
    adc_arm();

    for (;;) {
        wdt_reset();
        poll_rx();
        poll_adc();
        /* Sleep until the next interrupt (a conversion, a byte, the clock's overflow, the button)
         * unless there is work: the chip idles most of the time at 80 SPS. */
        cli();
        if (!adc_ready && !uart_rx_pending()) {
            sleep_enable();
            sei();
            sleep_cpu();
            sleep_disable();
        }
        sei();
    }
}
