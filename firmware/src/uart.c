#include "uart.h"

#include <avr/interrupt.h>
#include <util/atomic.h>

#include "board.h"

#define TX_SIZE 256 /* > 4 frames of a STATUS reply; a power of two for the index arithmetic */
#define RX_SIZE 64

static uint8_t tx_buf[TX_SIZE];
static volatile uint8_t tx_head, tx_tail; /* head: next write; tail: next to send (wrap at 256) */
static uint8_t rx_buf[RX_SIZE];
static volatile uint8_t rx_head, rx_tail;
volatile uint16_t uart_tx_dropped, uart_rx_overruns;

void uart_init(void)
{
    /* 115200 baud with U2X: UBRR = 16 (2.1 % fast, as every Arduino runs it). The control registers
     * first and the low baud byte last: simavr (the CI's emulator) fixes the line's speed and frame
     * format when UBRR0L is written, and real silicon does not mind the order. */
    UCSR0A = _BV(U2X0);
    UCSR0C = _BV(UCSZ01) | _BV(UCSZ00); /* 8N1 */
    UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
    UBRR0H = 0;
    UBRR0L = (uint8_t)(F_CPU / (8UL * UART_BAUD) - 1);
}

ISR(USART_RX_vect)
{
    uint8_t c = UDR0;
    uint8_t next = (uint8_t)((rx_head + 1) % RX_SIZE);
    if (next == rx_tail) {
        uart_rx_overruns++;
        return;
    }
    rx_buf[rx_head] = c;
    rx_head = next;
}

ISR(USART_UDRE_vect)
{
    if (tx_head == tx_tail) {
        UCSR0B &= (uint8_t)~_BV(UDRIE0);
        return;
    }
    UDR0 = tx_buf[tx_tail];
    tx_tail = (uint8_t)(tx_tail + 1);
}

int16_t uart_getc(void)
{
    if (rx_head == rx_tail)
        return -1;
    uint8_t c = rx_buf[rx_tail];
    rx_tail = (uint8_t)((rx_tail + 1) % RX_SIZE);
    return c;
}

uint8_t uart_rx_pending(void)
{
    return rx_head != rx_tail;
}

size_t uart_tx_free(void)
{
    uint8_t used;
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { used = (uint8_t)(tx_head - tx_tail); }
    return (size_t)(TX_SIZE - 1 - used);
}

uint8_t uart_tx_idle(void)
{
    return tx_head == tx_tail && (UCSR0A & _BV(UDRE0));
}

uint8_t uart_send(const uint8_t *data, size_t len)
{
    if (len > uart_tx_free()) {
        uart_tx_dropped++;
        return 0;
    }
    uint8_t h = tx_head;
    for (size_t i = 0; i < len; i++)
        tx_buf[h++] = data[i];
    tx_head = h;
    UCSR0B |= _BV(UDRIE0);
    return 1;
}
