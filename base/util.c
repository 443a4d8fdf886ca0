/* util.c - errors, clocks, the timeout scale and name tables.
 *
 * The small shared pieces that every module uses; see eh.h.
 */
#include "eh.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void eh_error_set(struct eh_error *err, const char *fmt, ...)
{
    if (err == NULL || err->set)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->set = true;
}

void eh_error_clear(struct eh_error *err)
{
    if (err == NULL)
        return;
    err->set = false;
    err->msg[0] = '\0';
}

int64_t eh_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void eh_utc_timestamp(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Set on the main thread before any other starts, then only read. */
static double timeout_scale = 1.0;

void eh_set_timeout_scale(double scale)
{
    timeout_scale = scale > 0.0 ? scale : 1.0;
}

double eh_timeout_scale(void)
{
    return timeout_scale;
}

eh_status eh_timeout_scale_parse(const char *what, const char *text, double *out,
                                 struct eh_error *err)
{
    char *end;
    double v = strtod(text, &end);
    if (*text == '\0' || *end != '\0' || !(v > 0.0) || v > 1000.0) {
        eh_error_set(err, "%s: expected a number in (0, 1000], got '%s'", what, text);
        return EH_ERR;
    }
    *out = v;
    return EH_OK;
}

eh_status eh_timeout_scale_from_env(struct eh_error *err)
{
    const char *env = getenv("EH_TIMEOUT_SCALE");
    double v;
    if (env == NULL)
        return EH_OK;
    if (eh_timeout_scale_parse("EH_TIMEOUT_SCALE", env, &v, err) != EH_OK)
        return EH_ERR;
    eh_set_timeout_scale(v);
    return EH_OK;
}

int64_t eh_scaled_ms(int64_t base_ms)
{
    double v = (double)base_ms * eh_timeout_scale();
    int64_t r = (int64_t)v;
    if ((double)r < v)
        r++;
    return r < 1 ? 1 : r;
}

eh_status eh_mkdir_p(const char *dir, struct eh_error *err)
{
    char path[4096];
    if (dir[0] == '\0' || snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
        eh_error_set(err, "\"%s\": not a usable directory name", dir);
        return EH_ERR;
    }
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            eh_error_set(err, "%s: cannot create directory: %s", path, strerror(errno));
            return EH_ERR;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        eh_error_set(err, "%s: not a directory", dir);
        return EH_ERR;
    }
    return EH_OK;
}

/* glibc names every errno value it knows (strerrorname_np, sigabbrev_np,
 * glibc 2.32): one source for the harness and the reference builds alike. */
#define ERRNO_MAX 4096 /* larger than any errno value glibc names */

const char *eh_errno_name(int err)
{
    static __thread char buf[24];
    const char *name = err > 0 ? strerrorname_np(err) : NULL;
    if (name != NULL)
        return name;
    snprintf(buf, sizeof(buf), "E%d", err);
    return buf;
}

int eh_errno_from_name(const char *name)
{
    if (strcmp(name, "EWOULDBLOCK") == 0)
        return EAGAIN;
    for (int err = 1; err < ERRNO_MAX; err++) {
        const char *n = strerrorname_np(err);
        if (n != NULL && strcmp(n, name) == 0)
            return err;
    }
    return -1;
}

const char *eh_signal_name(int sig)
{
    static __thread char buf[24];
    const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;
    if (abbrev != NULL)
        snprintf(buf, sizeof(buf), "SIG%s", abbrev);
    else
        snprintf(buf, sizeof(buf), "SIG%d", sig);
    return buf;
}

int eh_signal_from_name(const char *name)
{
    if (strncmp(name, "SIG", 3) != 0)
        return -1;
    for (int sig = 1; sig < NSIG; sig++) {
        const char *abbrev = sigabbrev_np(sig);
        if (abbrev != NULL && strcmp(abbrev, name + 3) == 0)
            return sig;
    }
    return -1;
}
