/* applies.c - what applies: which role a scenario judges, and what a server serves.
 *
 * The socket table is read as /proc/net/{tcp,tcp6,udp,udp6} in the
 * caller's network namespace (files under /proc/net follow the reader's
 * namespace, so inside a scenario they show only the scenario's sockets).
 * Each line is parsed field by field with bounds, never trusted: a line
 * that does not parse is skipped. See applies.h.
 */
#include "applies.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POLL_STEP_US 5000 /* between two reads of the socket table */
#define MAX_BOUND 256     /* sockets read per poll */
#define MAX_OWN_FDS 4096  /* fds of the server looked at (host loopback) */
#define TCP_LISTEN 0x0A   /* include/net/tcp_states.h */

unsigned eh_scenario_judges(const struct eh_scenario *sc)
{
    unsigned j = 0;
    const struct eh_role *s = &sc->roles[EH_SERVER], *c = &sc->roles[EH_CLIENT];
    if (s->present && s->under_test)
        j |= EH_JUDGES_SERVER;
    if (c->present && c->under_test && c->n_steps == 0)
        j |= EH_JUDGES_CLIENT;
    return j;
}

const char *eh_judges_name(unsigned judges)
{
    switch (judges & (EH_JUDGES_SERVER | EH_JUDGES_CLIENT)) {
    case EH_JUDGES_SERVER:
        return "server";
    case EH_JUDGES_CLIENT:
        return "client";
    case EH_JUDGES_SERVER | EH_JUDGES_CLIENT:
        return "server+client";
    default:
        return "reference only";
    }
}

bool eh_scenario_applies(const struct eh_scenario *sc, const char *server_cmd,
                         const char *client_cmd, char *why, size_t why_len)
{
    unsigned judges = eh_scenario_judges(sc);
    if (server_cmd == NULL && client_cmd == NULL)
        return true;
    if ((server_cmd != NULL && (judges & EH_JUDGES_SERVER)) ||
        (client_cmd != NULL && (judges & EH_JUDGES_CLIENT)))
        return true;
    const char *given = server_cmd && client_cmd ? "--server-cmd/--client-cmd"
                        : server_cmd             ? "--server-cmd"
                                                 : "--client-cmd";
    if (judges == 0)
        snprintf(why, why_len, "judges only the reference builds: not run with %s", given);
    else
        snprintf(why, why_len, "judges the %s, which %s does not replace: not run",
                 eh_judges_name(judges), given);
    return false;
}

/* ---- the socket table ---- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads exactly n hex digits at *p into bytes (n/2 of them, in text order)
 * and advances *p; false if a digit is missing. */
static bool hex_bytes(const char **p, size_t n, uint8_t *bytes)
{
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_digit((*p)[i]), lo = hi < 0 ? -1 : hex_digit((*p)[i + 1]);
        if (lo < 0)
            return false;
        bytes[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *p += n;
    return true;
}

/* A hex number of 1..8 digits at *p, advancing it. */
static bool hex_number(const char **p, unsigned long *out)
{
    unsigned long v = 0;
    int n = 0, d;
    while ((d = hex_digit(**p)) >= 0 && n < 8) {
        v = v << 4 | (unsigned long)d;
        (*p)++;
        n++;
    }
    *out = v;
    return n > 0 && hex_digit(**p) < 0;
}

/* The address as the kernel prints it: each 32-bit word in host order
 * (little-endian here), so the bytes of each word come reversed. */
static void word_order(uint8_t *a, size_t len)
{
    for (size_t w = 0; w + 4 <= len; w += 4) {
        uint8_t t0 = a[w], t1 = a[w + 1];
        a[w] = a[w + 3];
        a[w + 1] = a[w + 2];
        a[w + 2] = t1;
        a[w + 3] = t0;
    }
}

/* Parses one line: "  0: 0100007F:FF98 00000000:0000 0A 00000000:00000000 00:00000000
 * 00000000     0        0 12345 ...". */
static bool parse_line(const char *line, bool v6, enum eh_transport t, struct eh_bound *b)
{
    const char *p = line;
    size_t digits = v6 ? 32 : 8, alen = digits / 2;
    uint8_t a[16];
    unsigned long port, state, ino;
    while (*p == ' ')
        p++;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p++ != ':' || *p++ != ' ' || !hex_bytes(&p, digits, a) || *p++ != ':' ||
        !hex_number(&p, &port) || *p++ != ' ')
        return false;
    p += strspn(p, "0123456789abcdefABCDEF:"); /* the remote address */
    if (*p++ != ' ' || !hex_number(&p, &state))
        return false;
    for (int field = 0; field < 6; field++) { /* tx:rx tr:when retrnsmt uid timeout inode */
        p += strspn(p, " ");
        if (field < 5)
            p += strcspn(p, " ");
    }
    char *end;
    errno = 0;
    ino = strtoul(p, &end, 10);
    if (end == p || errno != 0)
        return false;
    word_order(a, alen);
    memset(b, 0, sizeof(*b));
    b->transport = t;
    b->v6 = v6;
    b->port = (int)port;
    b->ino = ino;
    b->listening = t == EH_UDP || state == TCP_LISTEN;
    static const uint8_t zero[16] = {0}, mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    b->wildcard = memcmp(a, zero, alen) == 0;
    b->mapped = v6 && memcmp(a, mapped, 12) == 0;
    inet_ntop(v6 ? AF_INET6 : AF_INET, a, b->addr, sizeof(b->addr));
    return true;
}

size_t eh__bound_read(const char *proc_net, struct eh_bound *out, size_t max)
{
    static const struct {
        const char *file;
        bool v6;
        enum eh_transport t;
    } tables[] = {{"tcp", false, EH_TCP},
                  {"tcp6", true, EH_TCP},
                  {"udp", false, EH_UDP},
                  {"udp6", true, EH_UDP}};
    size_t n = 0;
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char path[512], line[512];
        snprintf(path, sizeof(path), "%s/%s", proc_net, tables[i].file);
        FILE *f = fopen(path, "re");
        if (f == NULL)
            continue;
        while (n < max && fgets(line, sizeof(line), f) != NULL)
            if (parse_line(line, tables[i].v6, tables[i].t, &out[n]) && out[n].listening)
                n++;
        fclose(f);
    }
    return n;
}

bool eh__bound_serves(const struct eh_bound *b, enum eh_transport t, enum eh_family fam, int port)
{
    if (!b->listening || b->transport != t || b->port != port)
        return false;
    switch (fam) {
    case EH_IPV4:
        return !b->v6 || b->wildcard || b->mapped;
    case EH_IPV6:
        return b->v6 && !b->mapped; /* ::ffff:a.b.c.d takes IPv4 connections only */
    }
    return false;
}

void eh__bound_format(const struct eh_bound *b, char *buf, size_t len)
{
    bool brackets = b->v6 && !b->mapped;
    const char *addr = b->mapped ? b->addr + 7 : b->addr; /* "::ffff:127.0.0.1" */
    snprintf(buf, len, "%s%s%s:%d/%s", brackets ? "[" : "", addr, brackets ? "]" : "", b->port,
             eh_transport_name(b->transport));
}

/* Appends "tcp/ipv4" (and the like) for what b serves to the list in what. */
static void add_served(const struct eh_bound *b, char *what, size_t len)
{
    for (int f = 0; f < EH_FAMILY_COUNT; f++) {
        char item[32];
        if (!eh__bound_serves(b, b->transport, (enum eh_family)f, b->port))
            continue;
        snprintf(item, sizeof(item), "%s/%s", eh_transport_name(b->transport),
                 eh_family_name((enum eh_family)f));
        if (strstr(what, item) != NULL)
            continue;
        size_t used = strlen(what);
        snprintf(what + used, len - used, "%s%s", used ? ", " : "", item);
    }
}

enum eh_serving eh__serving_judge(const struct eh_bound *b, size_t n, enum eh_transport t,
                                  enum eh_family fam, int port, char *what, size_t what_len,
                                  int *other_port)
{
    const struct eh_bound *elsewhere = NULL;
    bool on_port = false;
    what[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (eh__bound_serves(&b[i], t, fam, port))
            return EH_SERVING;
        if (b[i].port == port) {
            on_port = true;
            add_served(&b[i], what, what_len);
        } else if (elsewhere == NULL || (elsewhere->transport != t && b[i].transport == t)) {
            elsewhere = &b[i];
        }
    }
    if (on_port)
        return EH_NOT_SERVED;
    if (elsewhere == NULL)
        return EH_BOUND_NOTHING;
    eh__bound_format(elsewhere, what, what_len);
    *other_port = elsewhere->port;
    return EH_ELSEWHERE;
}

/* ---- waiting ---- */

/* Keeps the sockets among b[0..n) whose inode one of pid's fds holds;
 * returns how many are left. */
static size_t keep_own(struct eh_bound *b, size_t n, pid_t pid)
{
    char dir[64];
    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    unsigned long inos[MAX_OWN_FDS];
    size_t k = 0, kept = 0;
    struct dirent *e;
    while (d != NULL && k < MAX_OWN_FDS && (e = readdir(d)) != NULL) {
        char path[320], target[64];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        ssize_t len = readlink(path, target, sizeof(target) - 1);
        unsigned long ino;
        if (len <= 0)
            continue;
        target[len] = '\0';
        if (sscanf(target, "socket:[%lu]", &ino) == 1)
            inos[k++] = ino;
    }
    if (d != NULL)
        closedir(d);
    for (size_t i = 0; i < n; i++) {
        bool own = false;
        for (size_t j = 0; j < k && !own; j++)
            own = inos[j] == b[i].ino;
        if (own)
            b[kept++] = b[i];
    }
    return kept;
}

static void sleep_us(int64_t us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* "exited with code 1", "killed by SIGSEGV". */
static void describe_end(struct eh_proc *p, char *buf, size_t len)
{
    if (eh_proc_term_signal(p) != 0)
        snprintf(buf, len, "was killed by %s", eh_signal_name(eh_proc_term_signal(p)));
    else
        snprintf(buf, len, "exited with code %d", eh_proc_exit_code(p));
}

eh_status eh_wait_serving(enum eh_transport t, enum eh_family fam, int port, struct eh_proc *p,
                          int64_t deadline_us, int64_t settle_ms, bool own_sockets_only,
                          struct eh_serve_report *report, struct eh_error *err)
{
    struct eh_bound b[MAX_BOUND];
    int64_t start = eh_now_us(), first_bound = 0;
    memset(report, 0, sizeof(*report));
    for (;;) {
        /* Whether it exited is read before the table: a server that
         * daemonizes exits once its child listens, so a table read after
         * the exit shows the child's socket. */
        bool exited = p != NULL && eh_proc_wait(p, eh_now_us()) == EH_OK;
        size_t n = eh__bound_read("/proc/net", b, MAX_BOUND);
        if (own_sockets_only && p != NULL) {
            /* The whole table is the host's: judge only what the server holds,
             * unless the right socket is there (it may be a child's). */
            bool serving = false;
            for (size_t i = 0; i < n && !serving; i++)
                serving = eh__bound_serves(&b[i], t, fam, port);
            if (!serving)
                n = keep_own(b, n, eh_proc_pid(p));
        }
        int64_t now = eh_now_us();
        report->serving = eh__serving_judge(b, n, t, fam, port, report->what, sizeof(report->what),
                                            &report->other_port);
        report->wait_us = now - start;
        if (report->serving == EH_SERVING)
            return EH_OK;
        if (report->serving != EH_BOUND_NOTHING && first_bound == 0)
            first_bound = now;
        if (first_bound != 0 && now - first_bound >= settle_ms * 1000)
            return EH_OK;
        if (exited) {
            char how[64];
            describe_end(p, how, sizeof(how));
            eh_error_set(err, "the server %s before it served %s/%s port %d", how,
                         eh_transport_name(t), eh_family_name(fam), port);
            return EH_ERR;
        }
        if (now >= deadline_us)
            return EH_TIMEOUT;
        int64_t left = deadline_us - now;
        sleep_us(left < POLL_STEP_US ? left : POLL_STEP_US);
    }
}
