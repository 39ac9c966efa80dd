#include "hx711.h"

#include <avr/interrupt.h>
#include <util/delay.h>

#include "board.h"

void hx711_init(uint8_t rate_hz)
{
    HX_DDR |= _BV(HX_SCK) | _BV(HX_RATE);
    HX_PORT &= (uint8_t)~_BV(HX_SCK);
    HX_DDR &= (uint8_t)~_BV(HX_DOUT);
    HX_PORT |= _BV(HX_DOUT); /* pull-up: a loose DOUT wire reads "not ready", never data */
    hx711_set_rate(rate_hz);
}

void hx711_set_rate(uint8_t rate_hz)
{
    if (rate_hz == 80)
        HX_PORT |= _BV(HX_RATE);
    else
        HX_PORT &= (uint8_t)~_BV(HX_RATE);
}

uint8_t hx711_ready(void)
{
    return !(HX_PIN & _BV(HX_DOUT));
}

int32_t hx711_read(void)
{
    uint32_t v = 0;
    for (uint8_t i = 0; i < 25; i++) {
        /* SCK may stay high 50 us at most (60 us powers the chip down): no interrupt in between. */
        uint8_t sreg = SREG;
        cli();
        HX_PORT |= _BV(HX_SCK);
        _delay_us(1);
        uint8_t bit = (HX_PIN & _BV(HX_DOUT)) ? 1 : 0;
        HX_PORT &= (uint8_t)~_BV(HX_SCK);
        SREG = sreg;
        _delay_us(1);
        if (i < 24)
            v = (v << 1) | bit;
    }
    if (v & 0x800000UL)
        v |= 0xFF000000UL; /* sign-extend the 24-bit two's complement */
    return (int32_t)v;
}

void hx711_power_cycle(void)
{
    HX_PORT |= _BV(HX_SCK);
    _delay_us(100);
    HX_PORT &= (uint8_t)~_BV(HX_SCK);
}
