#include "settings.h"

#include <avr/eeprom.h>
#include <string.h>

#include "nmtp.h"

#define BODY (sizeof(settings_t) - 2)

static uint8_t slot_in_use;

static uint8_t valid(const settings_t *s)
{
    return s->magic[0] == 'N' && s->magic[1] == 'M' && s->version == 1 &&
           nmtp_crc16((const uint8_t *)s, BODY, 0xFFFF) == s->crc && s->scale == s->scale &&
           s->scale != 0.0f;
}

uint8_t settings_load(settings_t *s)
{
    settings_t a, b;
    eeprom_read_block(&a, (const void *)0, sizeof a);
    eeprom_read_block(&b, (const void *)SETTINGS_SLOT_SIZE, sizeof b);
    uint8_t va = valid(&a), vb = valid(&b);
    if (va && (!vb || (int8_t)(a.generation - b.generation) >= 0)) {
        *s = a;
        slot_in_use = 0;
        return 1;
    }
    if (vb) {
        *s = b;
        slot_in_use = 1;
        return 1;
    }
    memset(s, 0, sizeof *s);
    s->magic[0] = 'N';
    s->magic[1] = 'M';
    s->version = 1;
    s->scale = 10000.0f; /* about a 20 kg, 1 mV/V cell at gain 128: a start, until CAL says better */
    s->rate = 80;
    slot_in_use = 1; /* the first save goes to slot A */
    return 0;
}

void settings_save(settings_t *s)
{
    s->generation++;
    s->crc = nmtp_crc16((const uint8_t *)s, BODY, 0xFFFF);
    slot_in_use ^= 1;
    eeprom_update_block(s, (void *)(slot_in_use * SETTINGS_SLOT_SIZE), sizeof *s);
}
