/* evlog_read.c - read an event log back into a JSON array; see evlog_read.h. */
#include "evlog_read.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void log_error(json_t *arr, size_t line, const char *error)
{
    json_array_append_new(arr, json_pack("{s:s, s:I, s:s}", "call", "log_error", "line",
                                         (json_int_t)line, "error", error));
}

json_t *eh_evlog_read(const char *path, size_t max_bytes)
{
    json_t *arr = json_array();
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        char msg[512];
        snprintf(msg, sizeof(msg), "cannot open %s: %s", path, strerror(errno));
        log_error(arr, 0, msg);
        return arr;
    }
    /* Read at most max_bytes + 1 to learn whether there was more. */
    size_t limit = max_bytes < SIZE_MAX ? max_bytes + 1 : SIZE_MAX;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    bool short_of_memory = false;
    while (len < limit) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = realloc(buf, cap);
            if (p == NULL) {
                short_of_memory = true;
                break;
            }
            buf = p;
        }
        size_t want = cap - len < limit - len ? cap - len : limit - len;
        size_t got = fread(buf + len, 1, want, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    bool truncated = len > max_bytes || short_of_memory;
    if (truncated) {
        /* Drop the line the limit cut in two. */
        if (len > max_bytes)
            len = max_bytes;
        while (len > 0 && buf[len - 1] != '\n')
            len--;
    }
    size_t line = 0;
    for (size_t start = 0; start < len;) {
        const char *nl = memchr(buf + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - buf) : len;
        line++;
        if (end > start) {
            json_error_t jerr;
            json_t *ev = json_loadb(buf + start, end - start, 0, &jerr);
            if (json_is_object(ev))
                json_array_append_new(arr, ev);
            else
                log_error(arr, line, ev ? "not a JSON object" : jerr.text);
            if (ev && !json_is_object(ev))
                json_decref(ev);
        }
        start = end + 1;
    }
    if (truncated)
        json_array_append_new(arr, json_pack("{s:s, s:I}", "call", "log_truncated", "max_bytes",
                                             (json_int_t)max_bytes));
    free(buf);
    return arr;
}
