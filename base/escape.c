/* escape.c - one escaper for every place untrusted bytes are shown.
 *
 * See escape.h. Bytes come from programs under test and from the wire: the
 * decoder here accepts only well-formed UTF-8 (RFC 3629) and every mode turns
 * what it does not keep into visible text, so nothing reaches a terminal, an
 * XML parser or a browser as a control character or a broken sequence.
 */
#include "escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, at most U+10FFFF). Returns its length, or 0 if invalid. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t n;
    uint32_t c = s[0], min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, c &= 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, c &= 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* Printable and allowed in XML 1.0 (tab and newline are decided by the mode). */
static bool printable(uint32_t c)
{
    return (c >= 0x20 && c < 0x7F) || (c >= 0xA0 && c != 0xFFFE && c != 0xFFFF);
}

/* The replacement text of a character in mode, or NULL if it has none. */
static const char *reference(uint32_t c, enum eh_esc_mode mode)
{
    /* Newline, tab and carriage return in each mode. */
    static const char *const space[][3] = {
        [EH_ESC_TEXT] = {"\n", "\t", "\\r"},          [EH_ESC_ATTR] = {"&#10;", "&#9;", "\\r"},
        [EH_ESC_INLINE] = {"\\n", "\\t", "\\r"},      [EH_ESC_MD] = {"<br>", "\t", "\\r"},
        [EH_ESC_TERM] = {"\\n", "\\t", "\\r"},        [EH_ESC_UTF8] = {"\n", "\t", "\r"},
        [EH_ESC_ASCII] = {"\\x0a", "\\x09", "\\x0d"}, [EH_ESC_QUOTED] = {"\\x0a", "\\x09", "\\x0d"},
    };
    bool md = mode == EH_ESC_MD;
    switch (c) {
    case '\n':
        return space[mode][0];
    case '\t':
        return space[mode][1];
    case '\r':
        return space[mode][2];
    }
    if (mode == EH_ESC_TERM || mode == EH_ESC_UTF8)
        return NULL;
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return md ? NULL : "&quot;";
    case '\'':
        return md ? NULL : "&#39;";
    }
    return NULL;
}

/* EH_ESC_ASCII and EH_ESC_QUOTED: printable ASCII kept (with quoted, but for
 * " and \), every other byte as \xNN. */
static void escape_ascii(FILE *out, const unsigned char *p, size_t len, bool quoted)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && !(quoted && (p[i] == '"' || p[i] == '\\')))
            fputc(p[i], out);
        else
            fprintf(out, "\\x%02x", p[i]);
    }
}

void eh_escape(FILE *out, const char *s, size_t len, enum eh_esc_mode mode)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    if (mode == EH_ESC_ASCII || mode == EH_ESC_QUOTED) {
        escape_ascii(out, p, len, mode == EH_ESC_QUOTED);
        return;
    }
    while (i < len) {
        uint32_t c;
        size_t n = utf8_next(p + i, len - i, &c);
        if (n == 0) {
            fprintf(out, "\\x%02X", p[i]);
            i++;
            continue;
        }
        const char *ref = reference(c, mode);
        if (ref)
            fputs(ref, out);
        else if (mode == EH_ESC_MD && c != 0 && c < 0x80 && strchr("|`*_[]\\~", (int)c))
            fprintf(out, "\\%c", (int)c);
        else if (printable(c) || mode == EH_ESC_UTF8)
            fwrite(p + i, 1, n, out);
        else if (c < 0x80)
            fprintf(out, "\\x%02X", (unsigned)c);
        else
            fprintf(out, "\\u%04X", (unsigned)c);
        i += n;
    }
}

bool eh_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c;
    for (size_t i = 0, n; i < len; i += n)
        if ((n = utf8_next(p + i, len - i, &c)) == 0)
            return false;
    return true;
}

void eh_escape_str(FILE *out, const char *s, enum eh_esc_mode mode)
{
    eh_escape(out, s, strlen(s), mode);
}

size_t eh_escape_buf(char *buf, size_t len, const char *s, size_t slen, enum eh_esc_mode mode)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    if (f == NULL) {
        if (len > 0)
            buf[0] = '\0';
        return 0;
    }
    eh_escape(f, s, slen, mode);
    fclose(f);
    size_t keep = n < len ? n : (len > 0 ? len - 1 : 0);
    if (keep < n) {
        /* Never end inside an escape: back off to before a cut \xNN or \uNNNN. */
        for (size_t k = keep > 6 ? keep - 6 : 0; k < keep; k++)
            if (text[k] == '\\' && k + 6 > keep && (text[k + 1] == 'x' || text[k + 1] == 'u')) {
                keep = k;
                break;
            }
    }
    if (len > 0) {
        memcpy(buf, text, keep);
        buf[keep] = '\0';
    }
    free(text);
    return n;
}
