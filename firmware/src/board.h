/* The board: an ATmega328P at 16 MHz (Arduino Uno or Nano) wired to an HX711 module and a button.
 * docs/HARDWARE.md has the wiring table; change the pins here (and there) for another layout. */
#ifndef BOARD_H
#define BOARD_H

#include <avr/io.h>

#ifndef F_CPU
#define F_CPU 16000000UL
#endif

/* HX711 DOUT on D2 (PD2) and PD_SCK on D3 (PD3): the pins the common HX711 library examples use. */
#define HX_PORT PORTD
#define HX_DDR DDRD
#define HX_PIN PIND
#define HX_DOUT PD2
#define HX_SCK PD3
/* HX711 RATE on D5 (PD5): high = 80 SPS, low = 10 SPS. Modules that tie RATE to GND in copper run
 * at 10 SPS whatever this pin says; the firmware measures the real rate (STATUS measured_hz). */
#define HX_RATE PD5

/* Marker button on D4 (PD4) to GND (internal pull-up): the client says "too much". */
#define BTN_PORT PORTD
#define BTN_PIN PIND
#define BTN_BIT PD4

/* The on-board LED on D13 (PB5): lit while streaming, off for a moment at each block. */
#define LED_DDR DDRB
#define LED_PORT PORTB
#define LED_BIT PB5

#define UART_BAUD 115200UL

#endif
