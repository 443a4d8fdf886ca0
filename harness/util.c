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

static double timeout_scale = 0.0; /* 0: not yet read from the environment */

void eh_set_timeout_scale(double scale)
{
    timeout_scale = scale > 0.0 ? scale : 1.0;
}

double eh_timeout_scale(void)
{
    if (timeout_scale <= 0.0) {
        const char *env = getenv("EH_TIMEOUT_SCALE");
        double v = env ? strtod(env, NULL) : 1.0;
        timeout_scale = v > 0.0 ? v : 1.0;
    }
    return timeout_scale;
}

int64_t eh_scaled_ms(int64_t base_ms)
{
    double v = (double)base_ms * eh_timeout_scale();
    int64_t r = (int64_t)v;
    if ((double)r < v)
        r++;
    return r < 1 ? 1 : r;
}

static const char *const verdict_names[EH_VERDICT_COUNT] = {
    [EH_PASS] = "PASS",         [EH_FAIL] = "FAIL", [EH_ERROR] = "ERROR",
    [EH_TIMED_OUT] = "TIMEOUT", [EH_SKIP] = "SKIP",
};

const char *eh_verdict_name(enum eh_verdict v)
{
    if ((unsigned)v >= EH_VERDICT_COUNT)
        return "?";
    return verdict_names[v];
}

bool eh_verdict_parse(const char *name, enum eh_verdict *out)
{
    for (int i = 0; i < EH_VERDICT_COUNT; i++) {
        if (strcmp(name, verdict_names[i]) == 0) {
            *out = (enum eh_verdict)i;
            return true;
        }
    }
    return false;
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

struct tok {
    int v;
    const char *s;
};

#define T(x)                                                                                       \
    {                                                                                              \
        x, #x                                                                                      \
    }
static const struct tok errno_names[] = {
    T(EPERM),         T(ENOENT),          T(EINTR),        T(EIO),          T(EBADF),
    T(EAGAIN),        T(ENOMEM),          T(EACCES),       T(EFAULT),       T(EBUSY),
    T(EEXIST),        T(EINVAL),          T(EMFILE),       T(ENFILE),       T(ENOSPC),
    T(EPIPE),         T(ENOTSOCK),        T(EDESTADDRREQ), T(EMSGSIZE),     T(EPROTOTYPE),
    T(ENOPROTOOPT),   T(EPROTONOSUPPORT), T(EOPNOTSUPP),   T(EAFNOSUPPORT), T(EADDRINUSE),
    T(EADDRNOTAVAIL), T(ENETDOWN),        T(ENETUNREACH),  T(ECONNABORTED), T(ECONNRESET),
    T(ENOBUFS),       T(EISCONN),         T(ENOTCONN),     T(ESHUTDOWN),    T(ETIMEDOUT),
    T(ECONNREFUSED),  T(EHOSTUNREACH),    T(EALREADY),     T(EINPROGRESS),  {0, NULL},
};
static const struct tok signal_names[] = {
    T(SIGHUP),  T(SIGINT),  T(SIGQUIT), T(SIGILL),  T(SIGTRAP), T(SIGABRT), T(SIGBUS),  T(SIGFPE),
    T(SIGKILL), T(SIGUSR1), T(SIGSEGV), T(SIGUSR2), T(SIGPIPE), T(SIGALRM), T(SIGTERM), T(SIGCHLD),
    T(SIGCONT), T(SIGSTOP), T(SIGXCPU), T(SIGXFSZ), T(SIGSYS),  {0, NULL},
};
#undef T

static const char *tok_name(const struct tok *t, int v, const char *prefix, char *buf, size_t len)
{
    for (; t->s; t++)
        if (t->v == v)
            return t->s;
    snprintf(buf, len, "%s%d", prefix, v);
    return buf;
}

const char *eh_errno_name(int err)
{
    static __thread char buf[24];
    return tok_name(errno_names, err, "E", buf, sizeof(buf));
}

int eh_errno_from_name(const char *name)
{
    if (strcmp(name, "EWOULDBLOCK") == 0)
        return EAGAIN;
    for (const struct tok *t = errno_names; t->s; t++)
        if (strcmp(t->s, name) == 0)
            return t->v;
    return -1;
}

const char *eh_signal_name(int sig)
{
    static __thread char buf[24];
    return tok_name(signal_names, sig, "SIG", buf, sizeof(buf));
}
