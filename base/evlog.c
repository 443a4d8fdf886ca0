/* evlog.c - the event log: one JSON object per line for every socket call.
 *
 * See evlog.h. A line is assembled in a memory stream (open_memstream) and
 * handed to write(2) in one piece; the file is opened with O_APPEND.
 */
#include "evlog.h"

#include "addr.h"
#include "eh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;           /* the log file; -1: no log */
static int64_t start_us;          /* eh_now_us() when the program started */
static int64_t data_logged_bytes; /* payload bytes logged as hex so far */
static bool data_truncated;       /* the data budget is spent */

bool eh_evlog_open(const char *path)
{
    start_us = eh_now_us();
    if (path == NULL)
        return true;
    log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    return log_fd >= 0;
}

bool eh_evlog_enabled(void)
{
    return log_fd >= 0;
}

void eh_ev_begin(struct eh_ev *ev, const char *call)
{
    ev->f = NULL;
    ev->buf = NULL;
    ev->len = 0;
    if (log_fd < 0)
        return;
    ev->f = open_memstream(&ev->buf, &ev->len);
    if (ev->f == NULL)
        return; /* out of memory: this event is lost, the log stays valid */
    fprintf(ev->f, "{\"t_us\":%lld", (long long)(eh_now_us() - start_us));
    eh_ev_str(ev, "call", call);
}

void eh_ev_int(struct eh_ev *ev, const char *key, int64_t value)
{
    if (ev->f != NULL)
        fprintf(ev->f, ",\"%s\":%lld", key, (long long)value);
}

void eh_ev_str(struct eh_ev *ev, const char *key, const char *value)
{
    if (ev->f == NULL || value == NULL)
        return;
    fprintf(ev->f, ",\"%s\":\"", key);
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(ev->f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(ev->f, "\\u%04x", *p); /* keeps the line ASCII and valid JSON */
        else
            fputc(*p, ev->f);
    }
    fputc('"', ev->f);
}

void eh_ev_addr(struct eh_ev *ev, const char *key, const struct sockaddr_storage *addr)
{
    char text[EH_ADDR_STRLEN];
    if (ev->f == NULL)
        return;
    eh_addr_format(addr, text, sizeof(text));
    eh_ev_str(ev, key, text);
}

void eh_ev_result(struct eh_ev *ev, int64_t ret, int err)
{
    eh_ev_int(ev, "ret", ret);
    if (ret < 0)
        eh_ev_str(ev, "errno", eh_errno_name(err));
}

void eh_ev_data(struct eh_ev *ev, const void *buf, int64_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (ev->f == NULL || len <= 0)
        return;
    if (data_truncated || data_logged_bytes + len > EH_EVLOG_DATA_MAX_BYTES) {
        data_truncated = true;
        fputs(",\"data_truncated\":true", ev->f);
        return;
    }
    data_logged_bytes += len;
    fputs(",\"data\":\"", ev->f);
    for (const unsigned char *p = buf; p < (const unsigned char *)buf + len; p++) {
        fputc(hex[*p >> 4], ev->f);
        fputc(hex[*p & 0xf], ev->f);
    }
    fputc('"', ev->f);
}

void eh_ev_end(struct eh_ev *ev)
{
    if (ev->f == NULL)
        return;
    fputs("}\n", ev->f);
    if (fclose(ev->f) == 0) {
        /* O_APPEND and one write(2): lines from several processes never interleave. */
        ssize_t w = write(log_fd, ev->buf, ev->len);
        (void)w; /* a full disk loses the line; the program's behaviour must not change */
    }
    free(ev->buf);
    ev->f = NULL;
    ev->buf = NULL;
}

void eh_evlog_ready(int fd, const struct sockaddr_storage *laddr)
{
    struct eh_ev ev;
    eh_ev_begin(&ev, "ready");
    eh_ev_int(&ev, "fd", fd);
    eh_ev_addr(&ev, "laddr", laddr);
    eh_ev_end(&ev);
}

void eh_evlog_conn_end(int fd, const char *reason)
{
    struct eh_ev ev;
    eh_ev_begin(&ev, "conn_end");
    eh_ev_int(&ev, "fd", fd);
    eh_ev_str(&ev, "reason", reason);
    eh_ev_end(&ev);
}

void eh_evlog_exit(int status)
{
    struct eh_ev ev;
    eh_ev_begin(&ev, "exit");
    eh_ev_int(&ev, "status", status);
    eh_ev_end(&ev);
}
