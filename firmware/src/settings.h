/* What survives a power cycle: the calibration, the serial number and the rate, in EEPROM.
 *
 * Two slots (A at 0, B at 32), each with a generation number and a CRC-16/CCITT-FALSE: a write goes
 * to the slot not in use, so a power cut during a write leaves the previous calibration intact.
 * Slot layout (little-endian, 28 bytes; firmware_sim/avr.py writes the emulator's factory image
 * with the same layout):
 *   0 'N' 'M' | 2 version=1 | 3 generation | 4 scale:float32 (counts per N) | 8 offset:i32 (counts)
 *   | 12 serial:char[12] (NUL-padded) | 24 rate:u8 | 25 calibrated:u8 | 26 crc:u16 of bytes 0..25 */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <stdint.h>

#define SETTINGS_SLOT_SIZE 32
#define SETTINGS_SERIAL_LEN 12

typedef struct {
    uint8_t magic[2];
    uint8_t version;
    uint8_t generation;
    float scale;
    int32_t offset;
    char serial[SETTINGS_SERIAL_LEN];
    uint8_t rate;
    uint8_t calibrated; /* 1 once CAL has set the scale (else it is the default guess) */
    uint16_t crc;
} __attribute__((packed)) settings_t;

/* Loads the newest valid slot into *s; 1 if one was found, 0 (defaults in *s) if not. */
uint8_t settings_load(settings_t *s);
/* Writes *s to the other slot with the next generation. */
void settings_save(settings_t *s);

#endif
