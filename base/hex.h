/* hex.h - bytes as lowercase hex text and back.
 *
 * The event log records every payload as hex ("data"), scenarios may give a
 * payload as hex, and the judges and report writers read it back: one
 * encoder and one decoder for all of them.
 */
#ifndef EH_HEX_H
#define EH_HEX_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the 2 * len lowercase hex digits of buf into out (not terminated). */
void eh_hex_encode(const void *buf, size_t len, char *out);

/* The value of one hex digit (either case), or -1. */
int eh_hex_digit(int c);

/* Decodes n_bytes bytes from the 2 * n_bytes digits at hex into out. Returns
 * false at the first character that is not a hex digit, with its offset in
 * *bad_at when bad_at is not NULL; out then holds the bytes before it. */
bool eh_hex_decode(const char *hex, size_t n_bytes, unsigned char *out, size_t *bad_at);

#endif
