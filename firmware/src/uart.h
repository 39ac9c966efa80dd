/* UART0 with interrupt-driven ring buffers: the main loop never waits for the line. */
#ifndef UART_H
#define UART_H

#include <stddef.h>
#include <stdint.h>

void uart_init(void);
/* Queue a whole frame, or nothing if it does not fit (counted in uart_tx_dropped): a frame cut in
 * two would cost the host two frames, a dropped one only its own samples. Returns 1 if queued. */
uint8_t uart_send(const uint8_t *data, size_t len);
/* Next received byte, or -1. */
int16_t uart_getc(void);
/* Received bytes wait (for the sleep decision, with interrupts off). */
uint8_t uart_rx_pending(void);
size_t uart_tx_free(void);
uint8_t uart_tx_idle(void);

extern volatile uint16_t uart_tx_dropped, uart_rx_overruns;

#endif
