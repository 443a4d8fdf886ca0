/* hex.c - bytes as lowercase hex text and back; see hex.h. */
#include "hex.h"

void eh_hex_encode(const void *buf, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = buf;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0xf];
    }
}

int eh_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool eh_hex_decode(const char *hex, size_t n_bytes, unsigned char *out, size_t *bad_at)
{
    for (size_t i = 0; i < n_bytes; i++) {
        int hi = eh_hex_digit((unsigned char)hex[2 * i]);
        int lo = hi < 0 ? -1 : eh_hex_digit((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            if (bad_at != NULL)
                *bad_at = 2 * i + (hi < 0 ? 0 : 1);
            return false;
        }
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}
