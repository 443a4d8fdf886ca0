/* eh.h - status codes, the error struct, time and the timeout scale.
 *
 * Every module of the harness includes this. Functions return an eh_status;
 * details go into a caller-owned struct eh_error where the first error wins
 * (later eh_error_set() calls are ignored) and NULL is allowed. Only main.c
 * exits the process.
 */
#ifndef EH_H
#define EH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

typedef enum {
    EH_OK = 0,
    EH_ERR = -1,
    EH_TIMEOUT = -2,
} eh_status;

struct eh_error {
    bool set;
    char msg[1024]; /* "where: what", e.g. "scenarios/x.json:12:7: steps[2]: ..." */
};

/* Records a printf-style message in err unless err is NULL or already set. */
void eh_error_set(struct eh_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clears err so that it can be reused. */
void eh_error_clear(struct eh_error *err);

/* Creates dir and its missing parents (mode 0755), like mkdir -p. Returns
 * EH_ERR naming the part that could not be created. */
eh_status eh_mkdir_p(const char *dir, struct eh_error *err);

/* Monotonic clock in microseconds (CLOCK_MONOTONIC). */
int64_t eh_now_us(void);

/* Wall clock as an RFC 3339 UTC string "2026-11-26T14:32:48Z" in buf. */
void eh_utc_timestamp(char *buf, size_t len);

/* The one timeout factor. Every deadline in the harness is a base value
 * multiplied by this (--timeout-scale, or the EH_TIMEOUT_SCALE environment
 * variable; default 1.0), so sanitizer and valgrind runs need no edits.
 * A program sets it once, on its main thread before it starts any other;
 * eh_timeout_scale() only returns what was set (1.0 if nothing was). */
void eh_set_timeout_scale(double scale);
double eh_timeout_scale(void);
/* Parses a timeout scale, a number in (0, 1000], from text into *out.
 * Errors read "WHAT: expected a number in (0, 1000], got 'TEXT'". */
eh_status eh_timeout_scale_parse(const char *what, const char *text, double *out,
                                 struct eh_error *err);
/* Sets the scale from EH_TIMEOUT_SCALE when it is set (for programs without
 * a --timeout-scale, such as the unit tests); EH_ERR, naming the variable,
 * when its value is not a valid scale. */
eh_status eh_timeout_scale_from_env(struct eh_error *err);
/* base_ms * scale, rounded up, at least 1. */
int64_t eh_scaled_ms(int64_t base_ms);

/* errno <-> symbolic name ("EPIPE"); unknown values give "E<number>". */
const char *eh_errno_name(int err);
/* Returns the errno for a name, or -1 if unknown. */
int eh_errno_from_name(const char *name);
/* Signal number <-> "SIGPIPE"; unknown gives "SIG<number>". */
const char *eh_signal_name(int sig);
/* Returns the signal number for "SIGPIPE", or -1 if unknown. */
int eh_signal_from_name(const char *name);

#endif
