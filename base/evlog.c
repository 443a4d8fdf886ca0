/* evlog.c - the event log: one JSON object per line for every socket call.
 *
 * See evlog.h. A line is assembled in a memory stream (open_memstream) and
 * handed to write(2) in one piece; the file is opened with O_APPEND.
 */
#include "evlog.h"
#include "hex.h"

#include "addr.h"
#include "eh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct eh_evlog {
    int fd;                    /* the log file; -1: no log */
    int64_t start_us;          /* eh_now_us() when the log started: the zero of t_us */
    int64_t data_logged_bytes; /* payload bytes logged as hex so far */
    bool data_truncated;       /* the data budget is spent */
};

static struct eh_evlog process_log = {.fd = -1}; /* the program's own, eh_evlog_open() */

static int open_log_file(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
}

bool eh_evlog_open(const char *path)
{
    process_log.start_us = eh_now_us();
    if (path == NULL)
        return true;
    process_log.fd = open_log_file(path);
    return process_log.fd >= 0;
}

bool eh_evlog_enabled(void)
{
    return process_log.fd >= 0;
}

struct eh_evlog *eh_evlog_new(const char *path)
{
    struct eh_evlog *log = calloc(1, sizeof(*log));
    if (log == NULL)
        return NULL;
    log->start_us = eh_now_us();
    log->fd = open_log_file(path);
    if (log->fd < 0) {
        int e = errno;
        free(log);
        errno = e;
        return NULL;
    }
    return log;
}

void eh_evlog_free(struct eh_evlog *log)
{
    if (log == NULL)
        return;
    close(log->fd);
    free(log);
}

void eh_ev_begin(struct eh_ev *ev, const char *call)
{
    eh_ev_begin_in(ev, &process_log, call);
}

void eh_ev_begin_in(struct eh_ev *ev, struct eh_evlog *log, const char *call)
{
    ev->log = log;
    ev->f = NULL;
    ev->buf = NULL;
    ev->len = 0;
    if (log == NULL || log->fd < 0)
        return;
    ev->f = open_memstream(&ev->buf, &ev->len);
    if (ev->f == NULL)
        return; /* out of memory: this event is lost, the log stays valid */
    fprintf(ev->f, "{\"t_us\":%lld", (long long)(eh_now_us() - log->start_us));
    eh_ev_str(ev, "call", call);
}

void eh_ev_bool(struct eh_ev *ev, const char *key, bool value)
{
    if (ev->f != NULL)
        fprintf(ev->f, ",\"%s\":%s", key, value ? "true" : "false");
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

void eh_ev_sock_addrs(struct eh_ev *ev, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (ev->f == NULL)
        return;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        eh_ev_addr(ev, "laddr", &ss);
    len = sizeof(ss);
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
        eh_ev_addr(ev, "raddr", &ss);
}

void eh_ev_result(struct eh_ev *ev, int64_t ret, int err)
{
    eh_ev_int(ev, "ret", ret);
    if (ret < 0)
        eh_ev_str(ev, "errno", eh_errno_name(err));
}

void eh_ev_data(struct eh_ev *ev, const void *buf, int64_t len)
{
    if (ev->f == NULL || len <= 0)
        return;
    struct eh_evlog *log = ev->log;
    if (log->data_truncated || log->data_logged_bytes + len > EH_EVLOG_DATA_MAX_BYTES) {
        log->data_truncated = true;
        fputs(",\"data_truncated\":true", ev->f);
        return;
    }
    log->data_logged_bytes += len;
    fputs(",\"data\":\"", ev->f);
    char chunk[2 * 256];
    for (int64_t i = 0; i < len; i += 256) {
        size_t n = len - i < 256 ? (size_t)(len - i) : 256;
        eh_hex_encode((const unsigned char *)buf + i, n, chunk);
        fwrite(chunk, 1, 2 * n, ev->f);
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
        ssize_t w = write(ev->log->fd, ev->buf, ev->len);
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
