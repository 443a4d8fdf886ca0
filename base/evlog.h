/* evlog.h - the event log: one JSON object per line for every socket call.
 *
 * The reference and faulty builds write this log (--log FILE) so that the
 * harness can judge what happened at the system-call level. The format is
 * specified in scenarios/README.md, section "Event log". Each line is built
 * in memory and written with a single write(2) to a file opened with
 * O_APPEND, so a line is never torn, even when a forked child shares the
 * file. A program has one process-wide log (eh_evlog_open(), used by the
 * reference builds); the harness's scripted peer writes its own log through
 * a struct eh_evlog of its own (eh_evlog_new()), in the same format. Without
 * a log (path NULL) every function here does nothing, cheaply.
 *
 * The payload of send/recv calls is logged as hex ("data") until
 * EH_EVLOG_DATA_MAX_BYTES bytes have been logged; from then on every event
 * carries "data_truncated":true instead, so the logged stream never has gaps.
 */
#ifndef EH_EVLOG_H
#define EH_EVLOG_H

#include "eh.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#define EH_EVLOG_DATA_MAX_BYTES (1024 * 1024) /* payload bytes logged as hex, per log */

/* Records the program's start time (the zero of "t_us") and, if path is not
 * NULL, creates or truncates the log file. Call it first thing in main.
 * Returns false with errno set if the file cannot be opened. */
bool eh_evlog_open(const char *path);

/* True if the process-wide log is being written. */
bool eh_evlog_enabled(void);

/* A log of its own, for a program that writes more than one (the harness's
 * scripted peer, run many times by its tests). */
struct eh_evlog;

/* Creates or truncates the log file at path; the log's "t_us" counts from
 * now. Returns NULL with errno set if the file cannot be opened. Caller
 * frees with eh_evlog_free(). */
struct eh_evlog *eh_evlog_new(const char *path);

/* Closes the file and releases log; accepts NULL. */
void eh_evlog_free(struct eh_evlog *log);

/* One event being built. Fill it with eh_ev_begin(), the eh_ev_*() field
 * writers, then eh_ev_end(), which writes the line and releases it. */
struct eh_ev {
    struct eh_evlog *log; /* where eh_ev_end() writes the line */
    FILE *f;              /* memory stream; NULL when there is no log */
    char *buf;            /* the line, owned by the stream */
    size_t len;           /* bytes in buf */
};

/* Starts an event of the process-wide log: {"t_us":N,"call":"CALL" */
void eh_ev_begin(struct eh_ev *ev, const char *call);
/* The same in log (NULL: no log). */
void eh_ev_begin_in(struct eh_ev *ev, struct eh_evlog *log, const char *call);
/* ,"key":value */
void eh_ev_int(struct eh_ev *ev, const char *key, int64_t value);
/* ,"key":true or false */
void eh_ev_bool(struct eh_ev *ev, const char *key, bool value);
/* ,"key":"value" with JSON escaping; nothing if value is NULL. */
void eh_ev_str(struct eh_ev *ev, const char *key, const char *value);
/* ,"key":"127.0.0.1:65432" or "[::1]:65432" */
void eh_ev_addr(struct eh_ev *ev, const char *key, const struct sockaddr_storage *addr);
/* ,"ret":ret and, when ret < 0, ,"errno":"EPIPE" (the name of err). */
void eh_ev_result(struct eh_ev *ev, int64_t ret, int err);
/* ,"laddr" and ,"raddr" of a connected socket fd, from getsockname() and
 * getpeername(); each is left out when its call fails. */
void eh_ev_sock_addrs(struct eh_ev *ev, int fd);
/* ,"data":"hex" for len > 0 bytes, or ,"data_truncated":true once the log
 * holds EH_EVLOG_DATA_MAX_BYTES of data. Nothing for len <= 0. */
void eh_ev_data(struct eh_ev *ev, const void *buf, int64_t len);
/* Closes the object, writes the line with one write(2) and releases ev. */
void eh_ev_end(struct eh_ev *ev);

/* Summary events. */
/* {"call":"ready","fd":fd,"laddr":...}: the server listens (TCP) or is bound (UDP). */
void eh_evlog_ready(int fd, const struct sockaddr_storage *laddr);
/* {"call":"conn_end","fd":fd,"reason":reason}: how a connection ended
 * ("eof", "timeout", "done" or an errno name). */
void eh_evlog_conn_end(int fd, const char *reason);
/* {"call":"exit","status":status}: written just before a normal exit. */
void eh_evlog_exit(int status);

#endif
