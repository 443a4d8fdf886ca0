/* escape.h - show untrusted bytes safely in XML, HTML, Markdown and terminals.
 *
 * Every byte that came from a process under test or from the wire passes
 * through eh_escape() before it reaches a report or a terminal. Used by the
 * report writers, the CLI's messages and the scenario loader's errors.
 */
#ifndef EH_ESCAPE_H
#define EH_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* How eh_escape() writes text. In every mode, bytes that are not valid
 * UTF-8 and characters that are neither printable nor allowed in XML 1.0
 * (control characters, DEL, C1 controls, U+FFFE, U+FFFF) are written as the
 * visible text \xNN (one byte) or \uNNNN (one code point), and a carriage
 * return as \r, so the output is always well-formed. */
enum eh_esc_mode {
    EH_ESC_TEXT,   /* XML/HTML element text: & < > " ' as references; newline and tab kept */
    EH_ESC_ATTR,   /* XML/HTML attribute value: as TEXT, newline and tab as references */
    EH_ESC_INLINE, /* XML/HTML text on one line: as TEXT, newline and tab as \n and \t */
    EH_ESC_MD,     /* Markdown inline text and table cells: punctuation that Markdown
                       interprets (| ` * _ [ ] \ ~) backslash-escaped, & < > as
                       references, newline as <br> */
    EH_ESC_TERM,   /* a terminal line: only newline and tab, as \n and \t */
    EH_ESC_UTF8,   /* only bytes that are not valid UTF-8 replaced; all else kept */
    EH_ESC_ASCII,  /* a terminal message quoting untrusted input: printable ASCII
                      kept, every other byte (control, DEL, >= 0x80) as \xNN */
    EH_ESC_QUOTED, /* as ASCII, and " and \ as \xNN too: text between double quotes */
};

/* Writes len bytes of s escaped for mode. */
void eh_escape(FILE *out, const char *s, size_t len, enum eh_esc_mode mode);
/* True if len bytes of s are valid UTF-8 (RFC 3629). */
bool eh_utf8_valid(const char *s, size_t len);
/* The same for a NUL-terminated string. */
void eh_escape_str(FILE *out, const char *s, enum eh_esc_mode mode);
/* Escapes slen bytes of s for mode into buf (always NUL-terminated when
 * len > 0), cut before an escape sequence that does not fit. Returns the
 * length of the whole escaped text, so a result >= len means it was cut. */
size_t eh_escape_buf(char *buf, size_t len, const char *s, size_t slen, enum eh_esc_mode mode);

#endif
