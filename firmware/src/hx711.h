/* The HX711 24-bit bridge ADC, bit-banged on two pins (board.h): channel A, gain 128. */
#ifndef HX711_H
#define HX711_H

#include <stdint.h>

#define HX711_MAX 0x7FFFFFL   /* the rails: the chip's output saturates here (overload) */
#define HX711_MIN (-0x800000L)

void hx711_init(uint8_t rate_hz);
/* 10 or 80 SPS on the RATE pin (modules with RATE tied in copper ignore it). */
void hx711_set_rate(uint8_t rate_hz);
/* A conversion is ready (DOUT low). */
uint8_t hx711_ready(void);
/* Shift out the ready conversion (24 bits, then one pulse: channel A, gain 128 for the next). */
int32_t hx711_read(void);
/* SCK high for > 60 us powers the chip down; low again restarts it (a reset after a fault). */
void hx711_power_cycle(void);

#endif
