/* runner.c - run one scenario from start to verdict.
 *
 * eh_run_scenario() hands the whole scenario to eh_isolate_run(): inside a
 * fresh network and PID namespace, scenario_main() starts the capture,
 * launches the server and waits until it is ready, runs the client side (a
 * program or the scripted peer), stops everything under the deadline, reads
 * the event logs, analyses the capture, judges every expectation and writes
 * the result object back through a pipe. Everything the scenario started dies
 * with its namespace (on the host loopback, isolate.c kills it).
 */
#include "runner.h"

#include "analyze.h"
#include "escape.h"
#include "applies.h"
#include "capture.h"
#include "isolate.h"
#include "launch.h"
#include "netcond.h"
#include "peer.h"
#include "template.h"
#include "timeline.h"
#include "verdict.h"
#include "watch.h"

#include <errno.h>
#include <poll.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 5000 /* server readiness, before the scale */
#define SETTLE_MS 300         /* bound something else: its time to bind the right socket */
#define STDERR_TAIL_LINES 3   /* lines of a program under test's stderr quoted in a reason */
#define STDERR_TAIL_BYTES 300 /* at most, unless the last line alone is longer */
#define QUIET_MS 20           /* loopback this quiet after the client: the server had its chance */
#define CLOSED_QUIET_MS 2     /* the same once it has closed every connection it had */
#define BUSY_MAX_MS 1000      /* at most, for a server that keeps loopback busy */
#define STOP_GRACE_MS 1000    /* SIGTERM -> SIGKILL */
#define TEARDOWN_MARGIN_MS 8000 /* outer deadline beyond the scenario's own */
#define EVLOG_MAX_BYTES (8u << 20)
#define OUTPUT_CAP_BYTES (64u << 10)

struct run_ctx {
    const struct eh_scenario *sc;
    const struct eh_run_config *cfg;
    char tmpdir[PATH_MAX]; /* event logs */
    char pcap_path[PATH_MAX];
};

/* One role being run: its argv and process, and how it is described. */
struct role_run {
    enum eh_role_id id;
    const char *kind; /* "reference", "under-test", "scripted" */
    char **argv;      /* owned, NULL-terminated */
    char log_path[PATH_MAX];
    struct eh_proc *proc;
    char not_started[512];
    int64_t log_lo_us, log_hi_us; /* eh_now_us() bounds of its event log's zero, when known */
};

static bool role_uses_cmd(const struct eh_role *r, const char *cmd)
{
    return r->present && r->under_test && r->n_steps == 0 && cmd != NULL;
}

static char **argv_push(char **argv, size_t *n, const char *s)
{
    argv = realloc(argv, (*n + 2) * sizeof(*argv));
    argv[(*n)++] = strdup(s);
    argv[*n] = NULL;
    return argv;
}

/* argv for a reference build: program, the connection options, the role's args. */
static char **reference_argv(const struct run_ctx *ctx, const struct eh_role *r,
                             const char *program, const char *host, int port, const char *log_path,
                             bool server)
{
    const struct eh_scenario *sc = ctx->sc;
    char path[PATH_MAX], port_s[16];
    size_t n = 0;
    char **argv = NULL;

    snprintf(path, sizeof(path), "%s/%s", ctx->cfg->bin_dir, program);
    snprintf(port_s, sizeof(port_s), "%d", port);
    argv = argv_push(argv, &n, path);
    argv = argv_push(argv, &n, "--host");
    argv = argv_push(argv, &n, host);
    argv = argv_push(argv, &n, "--port");
    argv = argv_push(argv, &n, port_s);
    argv = argv_push(argv, &n, "--transport");
    argv = argv_push(argv, &n, eh_transport_name(sc->transport));
    argv = argv_push(argv, &n, "--family");
    argv = argv_push(argv, &n, eh_family_name(sc->family));
    argv = argv_push(argv, &n, "--log");
    argv = argv_push(argv, &n, log_path);
    if (server) {
        argv = argv_push(argv, &n, "--ready-fd");
        argv = argv_push(argv, &n, "3");
    }
    for (size_t i = 0; i < r->n_args; i++)
        argv = argv_push(argv, &n, r->args[i]);
    return argv;
}

/* Prepares a role's argv: the command under test, a swapped-in build, or the reference build. */
static eh_status prepare_role(const struct run_ctx *ctx, struct role_run *rr, const char *host,
                              int port, struct eh_error *err)
{
    const struct eh_role *r = &ctx->sc->roles[rr->id];
    bool server = rr->id == EH_SERVER;
    const char *cmd = server ? ctx->cfg->server_cmd : ctx->cfg->client_cmd;
    const char *swap = server ? ctx->cfg->server_program : ctx->cfg->client_program;

    snprintf(rr->log_path, sizeof(rr->log_path), "%s/%s.log", ctx->tmpdir, eh_role_name(rr->id));
    if (r->n_steps > 0) {
        rr->kind = "scripted";
        return EH_OK;
    }
    if (role_uses_cmd(r, cmd)) {
        char port_s[16];
        snprintf(port_s, sizeof(port_s), "%d", port);
        struct eh_template_var vars[] = {
            {"host", host},
            {"port", port_s},
            {"transport", eh_transport_name(ctx->sc->transport)},
            {"family", eh_family_name(ctx->sc->family)},
        };
        rr->kind = "under-test";
        rr->log_path[0] = '\0';
        return eh_template_split(cmd, vars, sizeof(vars) / sizeof(vars[0]), &rr->argv, err);
    }
    rr->kind = "reference";
    rr->argv = reference_argv(ctx, r, swap ? swap : r->program, host, port, rr->log_path, server);
    return EH_OK;
}

/* Where a role's event log starts. Its t_us counts from the program's own
 * clock reading (evlog.h), which happens after the harness spawned it (the
 * lower bound, lo) and, for every event the harness saw the effect of, at
 * most that event's t_us before the harness saw it (the upper bound, hi):
 * the server's "ready" before the harness saw the ready fd close, the last
 * event before the harness saw the exit. Both are eh_now_us() readings. */
static void bound_log_zero(struct role_run *rr, const json_t *events, int64_t lo_us,
                           int64_t ready_seen_us, int64_t end_seen_us)
{
    int64_t hi = end_seen_us, t_last = 0;
    size_t i;
    const json_t *ev;
    json_array_foreach(events, i, ev)
    {
        const json_t *t = json_object_get(ev, "t_us");
        const char *call = json_string_value(json_object_get(ev, "call"));
        if (!json_is_integer(t))
            continue;
        if (json_integer_value(t) > t_last)
            t_last = json_integer_value(t);
        if (ready_seen_us > 0 && call && strcmp(call, "ready") == 0 &&
            ready_seen_us - json_integer_value(t) < hi)
            hi = ready_seen_us - json_integer_value(t);
    }
    if (end_seen_us - t_last < hi)
        hi = end_seen_us - t_last;
    rr->log_lo_us = lo_us;
    rr->log_hi_us = hi > lo_us ? hi : lo_us;
}

/* "clock": where the role's event-log t_us 0 falls on the wire's time axis
 * (microseconds from the capture's first frame), zero_us +- error_us, from
 * the bounds above narrowed by the wire (timeline.h). wall_minus_mono_us
 * relates eh_now_us() to the capture's CLOCK_REALTIME timestamps. */
static void clock_json(json_t *role, const struct role_run *rr, const json_t *wire,
                       int64_t wall_minus_mono_us, int64_t first_frame_us)
{
    const json_t *events = json_object_get(role, "events");
    if (rr->log_hi_us == 0 || first_frame_us == 0 || !json_is_array(events))
        return;
    int64_t lo = rr->log_lo_us + wall_minus_mono_us - first_frame_us;
    int64_t hi = rr->log_hi_us + wall_minus_mono_us - first_frame_us;
    int64_t best;
    size_t anchors = eh_timeline_refine(events, wire, rr->id, &lo, &hi, &best);
    json_object_set_new(role, "clock",
                        json_pack("{s:I, s:I, s:I}", "zero_us", (json_int_t)best, "error_us",
                                  (json_int_t)(best - lo > hi - best ? best - lo : hi - best),
                                  "anchors", (json_int_t)anchors));
}

static void role_json(json_t *roles, const struct role_run *rr, const struct eh_proc_obs *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "kind", json_string(rr->kind));
    if (rr->argv) {
        json_t *a = json_array();
        for (char **p = rr->argv; *p; p++)
            json_array_append_new(a, json_string(*p));
        json_object_set_new(j, "argv", a);
    }
    json_t *ex = json_object();
    if (rr->not_started[0])
        json_object_set_new(ex, "not_started", json_string(rr->not_started));
    else if (o->term_signal)
        json_object_set_new(ex, "signal", json_string(eh_signal_name(o->term_signal))),
            json_object_set_new(ex, "signo", json_integer(o->term_signal));
    else if (o->stopped_by_harness)
        json_object_set_new(ex, "stopped_by_harness", json_true());
    else if (o->exited)
        json_object_set_new(ex, "code", json_integer(o->exit_code));
    json_object_set_new(j, "exit", ex);
    if (rr->proc) {
        size_t len, total;
        const char *s;
        json_object_set_new(j, "runtime_ms", json_integer(eh_proc_runtime_us(rr->proc) / 1000));
        s = eh_proc_stdout(rr->proc, &len, &total);
        json_object_set_new(j, "stdout", json_stringn_nocheck(s ? s : "", s ? len : 0));
        json_object_set_new(j, "stdout_bytes", json_integer((json_int_t)total));
        s = eh_proc_stderr(rr->proc, &len, &total);
        json_object_set_new(j, "stderr", json_stringn_nocheck(s ? s : "", s ? len : 0));
        json_object_set_new(j, "stderr_bytes", json_integer((json_int_t)total));
    }
    if (o->instrumented)
        json_object_set(j, "events", o->events);
    json_object_set_new(roles, eh_role_name(rr->id), j);
}

/* True for the expectation kinds whose "who" names a role; the others judge
 * the exchange as a whole. */
static bool expect_names_role(enum eh_expect_kind k)
{
    switch (k) {
    case EH_EXPECT_EXIT:
    case EH_EXPECT_SURVIVED:
    case EH_EXPECT_EVENT:
    case EH_EXPECT_SEQUENCE:
    case EH_EXPECT_WIRE_SEGMENTS:
    case EH_EXPECT_CLIENT_ENDS:
    case EH_EXPECT_SERVER_PORT:
        return true;
    case EH_EXPECT_WIRE_CLIENT_READS_ECHO:
    case EH_EXPECT_ECHO:
    case EH_EXPECT_CLIENT_PORT:
    case EH_EXPECT_MIRROR:
    case EH_EXPECT_WIRE_ECHO:
    case EH_EXPECT_WIRE_CLIENT_PORT:
    case EH_EXPECT_WIRE_CLOSE:
    case EH_EXPECT_WIRE_CONNECTIONS:
    case EH_EXPECT_WIRE_SYN:
    case EH_EXPECT_WIRE_UDP:
    case EH_EXPECT_CONN_ECHO:
    case EH_EXPECT_CLIENTS_SERVED:
    case EH_EXPECT_CLIENTS_CONCURRENT:
    case EH_EXPECT_DATAGRAM_ECHO:
    case EH_EXPECT_SERVER_FDS:
    case EH_EXPECT_SERVER_RUNNING:
        return false;
    }
    return false;
}

/* True if the role's event log was longer than the harness reads. */
static bool log_cut(const struct eh_observation *obs, enum eh_role_id who)
{
    const json_t *events = obs->roles[who].events;
    const json_t *last = json_array_get(events, json_array_size(events) - 1);
    const char *call = json_string_value(json_object_get(last, "call"));
    return call != NULL && strcmp(call, "log_truncated") == 0;
}

/* A check that failed on an event log read only up to EVLOG_MAX_BYTES is
 * not proven (what it missed may come later): ERROR, naming the cap. */
static void judge_cut_log(const struct eh_expect *e, const struct eh_observation *obs,
                          struct eh_check *ck)
{
    enum eh_role_id who = e->who;
    switch (e->kind) {
    case EH_EXPECT_EVENT:
    case EH_EXPECT_SEQUENCE:
        break;
    case EH_EXPECT_ECHO:
    case EH_EXPECT_CLIENT_PORT:
    case EH_EXPECT_CONN_ECHO:
    case EH_EXPECT_CLIENTS_SERVED:
    case EH_EXPECT_CLIENTS_CONCURRENT:
    case EH_EXPECT_DATAGRAM_ECHO:
        who = EH_CLIENT; /* judged from the client's log */
        break;
    case EH_EXPECT_MIRROR:
        who = log_cut(obs, EH_SERVER) ? EH_SERVER : EH_CLIENT;
        break;
    case EH_EXPECT_SERVER_PORT:
        who = EH_SERVER;
        break;
    case EH_EXPECT_CLIENT_ENDS:
    case EH_EXPECT_WIRE_CLIENT_READS_ECHO:
    case EH_EXPECT_EXIT:
    case EH_EXPECT_SURVIVED:
    case EH_EXPECT_WIRE_ECHO:
    case EH_EXPECT_WIRE_CLIENT_PORT:
    case EH_EXPECT_WIRE_SEGMENTS:
    case EH_EXPECT_WIRE_CLOSE:
    case EH_EXPECT_WIRE_CONNECTIONS:
    case EH_EXPECT_WIRE_SYN:
    case EH_EXPECT_WIRE_UDP:
    case EH_EXPECT_SERVER_FDS:
    case EH_EXPECT_SERVER_RUNNING:
        return;
    }
    if (ck->verdict != EH_FAIL || !log_cut(obs, who))
        return;
    /* The words that explain a failure do not apply: keep "(expected ..., got ...)". */
    char was[sizeof(ck->reason)];
    const char *tech = strstr(ck->reason, " (expected ");
    snprintf(was, sizeof(was), "%s%s", tech ? "" : ": ", tech ? tech : ck->reason);
    snprintf(ck->reason, sizeof(ck->reason),
             "not proven: the %s's event log is longer than the %u MiB the harness reads, and "
             "what this check looks for may lie beyond%s",
             eh_role_name(who), EVLOG_MAX_BYTES >> 20, was);
    ck->verdict = EH_ERROR;
}

/* Fills the observation of a finished (or stopped) process. */
static void observe_proc(struct role_run *rr, struct eh_proc_obs *o)
{
    o->present = true;
    o->started = rr->proc != NULL;
    if (!rr->proc)
        return;
    o->stopped_by_harness = eh_proc_stopped_by_harness(rr->proc);
    o->runtime_us = eh_proc_runtime_us(rr->proc);
    o->term_signal = o->stopped_by_harness ? 0 : eh_proc_term_signal(rr->proc);
    o->exit_code = eh_proc_exit_code(rr->proc);
    o->exited = !o->stopped_by_harness && eh_proc_exited(rr->proc);
    if (rr->log_path[0]) {
        o->instrumented = true;
        json_decref(o->events);
        o->events = eh_evlog_read(rr->log_path, EVLOG_MAX_BYTES);
    }
}

/* The port a reference server reported when the scenario asked for port 0. */
static int port_from_log(const char *log_path)
{
    json_t *events = eh_evlog_read(log_path, EVLOG_MAX_BYTES);
    int port = 0;
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        const char *call = json_string_value(json_object_get(ev, "call"));
        const char *laddr = json_string_value(json_object_get(ev, "laddr"));
        if (call && laddr && (strcmp(call, "bind") == 0 || strcmp(call, "ready") == 0)) {
            const char *colon = strrchr(laddr, ':');
            if (colon)
                port = atoi(colon + 1);
        }
    }
    json_decref(events);
    return port;
}

/* The last non-empty line a process that ended wrote on stderr, as
 * '; its stderr: "..."' with control bytes escaped (empty if none): the
 * reason a program under test gives for not starting belongs in the verdict. */
static void last_stderr_line(struct eh_proc *p, char *out, size_t len)
{
    size_t n = 0, total = 0;
    out[0] = '\0';
    eh_proc_wait(p, eh_now_us() + eh_scaled_ms(200) * 1000); /* collects the output */
    const char *s = eh_proc_stderr(p, &n, &total);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    if (s == NULL || n == 0)
        return;
    size_t start = n;
    while (start > 0 && s[start - 1] != '\n')
        start--;
    size_t o = (size_t)snprintf(out, len, "; its stderr: \"");
    if (o + 2 < len) {
        eh_escape_buf(out + o, len - o - 1, s + start, n - start, EH_ESC_QUOTED);
        o += strlen(out + o);
    }
    snprintf(out + o, len - o, "\"");
}

/* CLOCK_REALTIME (what capture timestamps use) minus eh_now_us()
 * (CLOCK_MONOTONIC), from one reading of each; the two readings lie within a
 * microsecond or two of each other. */
static int64_t wall_minus_mono_us(void)
{
    struct timespec ts;
    int64_t mono = eh_now_us();
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - mono;
}

/* What one run of a scenario produced, stage by stage. A stage that fails
 * records why in run_verdict/run_reason (the first failure wins) and returns
 * false, so that the stages after it that start something are skipped; the
 * stages that tear down, analyse and report always run. */
struct scenario_outcome {
    enum eh_isolation mode;
    int64_t deadline; /* the scenario's own, as an eh_now_us() time */
    const char *host;
    int port; /* the server's: from the scenario, --port, allocated, or its log */
    enum eh_verdict run_verdict; /* EH_PASS while every stage succeeded */
    char run_reason[1536];
    struct role_run rr[EH_ROLE_COUNT];
    struct eh_capture *cap; /* while the capture runs */
    bool captured;          /* a capture was started: its file can be analysed */
    bool client_timed_out;  /* the client side was still running at the deadline */
    int64_t wall_offset_us; /* CLOCK_REALTIME minus eh_now_us(), for the time axes */
    int64_t ready_seen_us;  /* eh_now_us() when the server was seen ready; 0: not */
    struct eh_observation obs;
    struct eh_analysis *an; /* the capture's analysis, or NULL */
    struct eh_check *cks;   /* one per expectation, judged if the run got that far */
    json_t *result;         /* the result object, filled as the stages go */
};

static bool fail_run(struct scenario_outcome *o, enum eh_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail_run(struct scenario_outcome *o, enum eh_verdict v, const char *fmt, ...)
{
    if (o->run_verdict != EH_PASS)
        return false; /* the first problem wins */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->run_reason, sizeof(o->run_reason), fmt, ap);
    va_end(ap);
    o->run_verdict = v;
    return false;
}

static void outcome_init(struct scenario_outcome *o, const struct run_ctx *ctx,
                         enum eh_isolation mode)
{
    const struct eh_scenario *sc = ctx->sc;
    memset(o, 0, sizeof(*o));
    o->mode = mode;
    o->deadline = eh_now_us() + eh_scaled_ms(sc->timeout_ms) * 1000;
    o->wall_offset_us = wall_minus_mono_us();
    o->host = sc->host;
    o->port = ctx->cfg->port ? ctx->cfg->port : sc->port;
    o->run_verdict = EH_PASS;
    o->rr[EH_SERVER].id = EH_SERVER;
    o->rr[EH_CLIENT].id = EH_CLIENT;
    o->cks = calloc(sc->n_expects ? sc->n_expects : 1, sizeof(*o->cks));
    o->result = json_object();
}

/* True if the line s[0..n) reads as the heading of an error report: it
 * starts in column 0 and holds "Error" or "Exception" ("Error: write
 * ECONNRESET" from Node, "Exception in thread ..." from Java,
 * "ConnectionResetError: ..." from Python), or starts with "panic:" or
 * "fatal error:" (Go). */
static bool error_heading(const char *s, size_t n)
{
    if (n == 0 || s[0] == ' ' || s[0] == '\t')
        return false;
    char line[256];
    size_t k = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
    memcpy(line, s, k);
    line[k] = '\0';
    return strstr(line, "Error") != NULL || strstr(line, "Exception") != NULL ||
           strncmp(line, "panic:", 6) == 0 || strncmp(line, "fatal error:", 12) == 0;
}

/* The last error heading in s[0..end), as its start and length; false if
 * there is none. */
static bool last_error_heading(const char *s, size_t end, size_t *at, size_t *n)
{
    bool found = false;
    for (size_t i = 0; i < end;) {
        size_t e = i;
        while (e < end && s[e] != '\n' && s[e] != '\r')
            e++;
        if (error_heading(s + i, e - i) && e - i <= STDERR_TAIL_BYTES) {
            *at = i;
            *n = e - i;
            found = true;
        }
        i = e + 1;
    }
    return found;
}

/* When a program under test wrote on stderr (a Python traceback names its
 * error last), appends its last lines to a reason that does not quote its
 * stderr yet: '; the server's stderr ends: File "x.py", line 9, in <module> |
 * BrokenPipeError: [Errno 32] Broken pipe', each line escaped for a
 * terminal, at most STDERR_TAIL_LINES lines and STDERR_TAIL_BYTES bytes.
 * Where the error's heading lies above those lines (Node, Java and Go print
 * a stack or the error's fields after it), it is quoted first: '; the
 * server's stderr says: Error: write ECONNRESET ... and ends: ...'. */
static void append_stderr_tail(char *reason, size_t len, const struct role_run *rr)
{
    size_t n = 0, total = 0, used = strlen(reason);
    if (rr->proc == NULL || strcmp(rr->kind ? rr->kind : "", "under-test") != 0 ||
        strstr(reason, "stderr") != NULL)
        return;
    const char *s = eh_proc_stderr(rr->proc, &n, &total);
    size_t start = n, lines = 0;
    while (lines < STDERR_TAIL_LINES) { /* back over the last non-empty lines */
        while (start > 0 && strchr("\r\n \t", s[start - 1]) != NULL)
            start--;
        if (start == 0)
            break;
        size_t begin = start;
        while (begin > 0 && s[begin - 1] != '\n')
            begin--;
        if (lines > 0 && n - begin > STDERR_TAIL_BYTES)
            break;
        start = begin;
        lines++;
    }
    if (lines == 0)
        return;
    size_t head = 0, head_n = 0;
    if (last_error_heading(s, start, &head, &head_n)) {
        used += (size_t)snprintf(reason + used, len - used,
                                 "; the %s's stderr says: ", eh_role_name(rr->id));
        if (used + 1 < len)
            eh_escape_buf(reason + used, len - used, s + head, head_n, EH_ESC_ASCII);
        used += strlen(reason + used);
        if (used + 1 < len)
            used += (size_t)snprintf(reason + used, len - used, " ... and ends: ");
    } else {
        used += (size_t)snprintf(reason + used, len - used,
                                 "; the %s's stderr ends: ", eh_role_name(rr->id));
    }
    for (size_t i = start, k = 0; i < n && used + 1 < len; k++) {
        while (i < n && strchr("\r\n \t", s[i]) != NULL)
            i++;
        size_t end = i;
        while (end < n && s[end] != '\n' && s[end] != '\r')
            end++;
        if (end == i)
            break;
        if (k > 0)
            used += (size_t)snprintf(reason + used, len - used, " | ");
        if (used + 1 < len)
            eh_escape_buf(reason + used, len - used, s + i, end - i, EH_ESC_ASCII);
        used += strlen(reason + used);
        i = end;
    }
}

/* The scenario's network conditions in the result: what was asked for. */
static json_t *network_json(const struct eh_netcond *nc)
{
    json_t *j = json_object();
    const struct {
        const char *key;
        int value;
    } fields[] = {{"mtu", nc->mtu},
                  {"loss_percent", nc->loss_percent},
                  {"delay_ms", nc->delay_ms},
                  {"reorder_percent", nc->reorder_percent}};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (fields[i].value > 0)
            json_object_set_new(j, fields[i].key, json_integer(fields[i].value));
    return j;
}

/* Sets up the scenario's network conditions (netcond.h) before anything
 * runs: SKIP where they cannot be made here (the host loopback, a kernel
 * without netem), never a pass under conditions that were not there; ERROR
 * when setting them up failed. result gets "network". */
static void apply_network(const struct eh_scenario *sc, struct scenario_outcome *o)
{
    char what[128], why[512];
    json_t *net = network_json(&sc->network);
    enum eh_netcond_result r = EH_NETCOND_UNSUPPORTED;
    eh_netcond_describe(&sc->network, what, sizeof(what));
    if (o->mode == EH_ISO_HOST)
        snprintf(why, sizeof(why),
                 "network conditions need the scenario's own network namespace (on the host "
                 "loopback they would change the machine's lo)");
    else
        r = eh_netcond_apply(&sc->network, why, sizeof(why));
    switch (r) {
    case EH_NETCOND_APPLIED:
        break;
    case EH_NETCOND_UNSUPPORTED:
        fail_run(o, EH_SKIP, "not judged here: %s (asked for %s)", why, what);
        break;
    case EH_NETCOND_FAILED:
        fail_run(o, EH_ERROR, "setting up the network conditions (%s) failed: %s", what, why);
        break;
    }
    json_object_set_new(net, "applied", json_boolean(r == EH_NETCOND_APPLIED));
    if (r != EH_NETCOND_APPLIED)
        json_object_set_new(net, "why", json_string(why));
    json_object_set_new(o->result, "network", net);
}

/* Adds to the result's "network" (when there is one) the retransmissions
 * the wire analysis saw, per side: the work the conditions made TCP do. */
static void count_retransmissions(json_t *net, const struct eh_flows *f)
{
    uint64_t segs[2] = {0, 0}, bytes[2] = {0, 0};
    if (net == NULL)
        return;
    for (size_t i = 0; i < eh_flows_tcp_count(f); i++) {
        const struct eh_tcp_conn *c = eh_flows_tcp(f, i);
        segs[0] += c->c2s.retrans_segments;
        segs[1] += c->s2c.retrans_segments;
        bytes[0] += c->c2s.retrans_bytes;
        bytes[1] += c->s2c.retrans_bytes;
    }
    json_object_set_new(
        net, "retransmitted_segments",
        json_pack("{s:I, s:I}", "client", (json_int_t)segs[0], "server", (json_int_t)segs[1]));
    json_object_set_new(
        net, "retransmitted_bytes",
        json_pack("{s:I, s:I}", "client", (json_int_t)bytes[0], "server", (json_int_t)bytes[1]));
}

/* The --require options that ask for what sc needs: "--require udp". */
static void required_by(const struct eh_scenario *sc, const struct eh_run_config *cfg, char *buf,
                        size_t len)
{
    buf[0] = '\0';
    if (cfg->require_transport[sc->transport])
        snprintf(buf, len, "--require %s", eh_transport_name(sc->transport));
    if (cfg->require_family[sc->family]) {
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, "%s--require %s", n ? " and " : "", eh_family_name(sc->family));
    }
}

/* The server under test bound the scenario's port, but over another
 * transport or family: SKIP, or FAIL when --require asks for it. */
static void not_served(const struct run_ctx *ctx, const struct eh_serve_report *rep,
                       struct scenario_outcome *o)
{
    const struct eh_scenario *sc = ctx->sc;
    char need[32], req[64];
    snprintf(need, sizeof(need), "%s/%s", eh_transport_name(sc->transport),
             eh_family_name(sc->family));
    required_by(sc, ctx->cfg, req, sizeof(req));
    if (req[0])
        fail_run(o, EH_FAIL,
                 "not served by this implementation (it bound %s only), and %s asks for %s",
                 rep->what, req, need);
    else
        fail_run(o, EH_SKIP, "not served by this implementation (it bound %s only)", rep->what);
    json_object_set_new(o->result, "not_served",
                        json_pack("{s:s, s:s, s:b}", "needs", need, "bound", rep->what, "required",
                                  req[0] != '\0'));
}

/* "client_port_window": narrows net.ipv4.ip_local_port_range in the
 * scenario's own namespace to PORT_WINDOW ports drawn at random from
 * PORT_WINDOW_LO..PORT_WINDOW_HI (below the kernel's default range, above the
 * ports programs like to pick), never holding the server's port, so that a
 * client that binds a fixed port is caught even when that port lies in the
 * default range. Records the window in the result. On the host loopback the
 * range is the host's and is left alone. */
#define PORT_WINDOW 32
#define PORT_WINDOW_LO 10000
#define PORT_WINDOW_HI 32767
static bool set_port_window(const struct eh_scenario *sc, struct scenario_outcome *o)
{
    if (!sc->client_port_window)
        return true;
    if (o->mode == EH_ISO_HOST) {
        json_object_set_new(o->result, "client_port_window",
                            json_string("not set: on the host loopback the range is the host's"));
        return true;
    }
    uint32_t r = 0;
    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
        r = (uint32_t)eh_now_us();
    int slots = (PORT_WINDOW_HI - PORT_WINDOW_LO + 1) / PORT_WINDOW;
    int lo = PORT_WINDOW_LO + (int)(r % (uint32_t)slots) * PORT_WINDOW;
    if (o->port >= lo && o->port < lo + PORT_WINDOW)
        lo = lo + PORT_WINDOW <= PORT_WINDOW_HI - PORT_WINDOW + 1 ? lo + PORT_WINDOW
                                                                  : PORT_WINDOW_LO;
    const char *path = "/proc/sys/net/ipv4/ip_local_port_range";
    FILE *f = fopen(path, "we");
    bool ok = f != NULL && fprintf(f, "%d %d\n", lo, lo + PORT_WINDOW - 1) > 0;
    ok = (f != NULL && fclose(f) == 0) && ok;
    if (!ok)
        return fail_run(o, EH_ERROR,
                        "client_port_window: cannot write %s in the scenario's namespace: %s", path,
                        strerror(errno));
    o->obs.port_window = true;
    json_object_set_new(o->result, "client_port_window",
                        json_pack("[i, i]", lo, lo + PORT_WINDOW - 1));
    return true;
}

/* The port on the host loopback (a port below 1024 is kept: a scenario asks
 * for one only to show bind() refused), the ephemeral range the judge
 * compares with, narrowed first for client_port_window. */
static bool choose_endpoint(const struct run_ctx *ctx, struct scenario_outcome *o)
{
    const struct eh_scenario *sc = ctx->sc;
    struct eh_error err = {0};
    if (o->mode == EH_ISO_HOST && o->port >= 1024 && ctx->cfg->port == 0) {
        o->port = eh_alloc_port(sc->transport == EH_UDP ? SOCK_DGRAM : SOCK_STREAM);
        if (o->port <= 0)
            return fail_run(o, EH_ERROR, "host loopback: no free %s port to allocate: %s",
                            eh_transport_name(sc->transport), strerror(errno));
    }
    if (!set_port_window(sc, o))
        return false;
    if (eh_read_port_range(&o->obs.port_lo, &o->obs.port_hi, &err) != EH_OK)
        return fail_run(o, EH_ERROR, "%s", err.msg);
    return true;
}

/* Network conditions in the namespace come first: libpcap sizes its
 * ring's slots by lo's MTU once the offloads are off (else by the 256 KiB
 * snap length, 128 slots in all: too few for MTU-sized packets). On the host
 * loopback none is applied and the scenario is SKIP (after the capture, so
 * that a capture failure is told first). */
static bool set_network(const struct run_ctx *ctx, struct scenario_outcome *o, bool host_turn)
{
    if (ctx->sc->network.given && (o->mode == EH_ISO_HOST) == host_turn)
        apply_network(ctx->sc, o);
    return o->run_verdict == EH_PASS;
}

/* Capture before any process starts, so that no packet is missed. */
static bool start_capture(const struct run_ctx *ctx, struct scenario_outcome *o)
{
    char filter[64] = "";
    struct eh_error err = {0};
    if (!ctx->pcap_path[0])
        return true;
    if (o->mode == EH_ISO_HOST && o->port != 0)
        snprintf(filter, sizeof(filter), "port %d", o->port);
    if (eh_capture_start_snaplen("lo", filter[0] ? filter : NULL, (int)ctx->sc->snaplen,
                                 ctx->pcap_path, &o->cap, &err) != EH_OK)
        return fail_run(o, EH_ERROR, "capture: %s", err.msg);
    o->captured = true;
    return true;
}

/* The server, unless the scenario has none ("absent": nothing listens). */
static bool start_server(const struct run_ctx *ctx, struct scenario_outcome *o)
{
    struct role_run *srv = &o->rr[EH_SERVER];
    struct eh_error err = {0};
    if (!ctx->sc->roles[EH_SERVER].present)
        return true;
    if (prepare_role(ctx, srv, o->host, o->port, &err) != EH_OK)
        return fail_run(o, EH_ERROR, "--server-cmd: %s", err.msg);
    struct eh_spawn sp = {
        .argv = srv->argv, .ready_fd = srv->log_path[0] != '\0', .output_cap = OUTPUT_CAP_BYTES};
    eh_error_clear(&err);
    if (eh_proc_spawn(&sp, &srv->proc, &err) != EH_OK) {
        snprintf(srv->not_started, sizeof(srv->not_started), "%s", err.msg);
        return fail_run(o, EH_ERROR, "server: %s", err.msg);
    }
    return true;
}

/* The socket-table half of wait_server_ready(), for a server under test. */
static bool wait_server_serving(const struct run_ctx *ctx, struct scenario_outcome *o,
                                int64_t ready_deadline)
{
    const struct eh_scenario *sc = ctx->sc;
    const char *t = eh_transport_name(sc->transport), *f = eh_family_name(sc->family);
    struct eh_error err = {0};
    struct eh_serve_report rep;
    char said[200];
    eh_status st =
        eh_wait_serving(sc->transport, sc->family, o->port, o->rr[EH_SERVER].proc, ready_deadline,
                        eh_scaled_ms(SETTLE_MS), o->mode == EH_ISO_HOST, &rep, &err);
    if (st == EH_ERR) {
        last_stderr_line(o->rr[EH_SERVER].proc, said, sizeof(said));
        return fail_run(o, EH_FAIL, "%s%s", err.msg, said);
    }
    switch (rep.serving) {
    case EH_SERVING:
        o->ready_seen_us = eh_now_us();
        return true;
    case EH_NOT_SERVED:
        not_served(ctx, &rep, o);
        return false;
    case EH_ELSEWHERE:
        return fail_run(
            o, EH_ERROR,
            "the server %s %s, not on port %d: use {port} in --server-cmd, or --port %d",
            strstr(rep.what, "/udp") ? "is bound to" : "listens on", rep.what, o->port,
            rep.other_port);
    case EH_BOUND_NOTHING:
        return fail_run(o, EH_TIMED_OUT,
                        "the server bound nothing within %lld ms (expected it %s on %s/%s port %d)",
                        (long long)eh_scaled_ms(READY_TIMEOUT_MS),
                        sc->transport == EH_TCP ? "listening" : "bound", t, f, o->port);
    }
    return false;
}

/* Waits until the server is ready: a reference build closes its ready fd; a
 * server under test is watched in the socket table (applies.h), which also
 * tells early when it serves something else. Returns true when it is ready;
 * else sets the run's verdict. The port becomes the one a reference server
 * chose for port 0. Without a server ("absent") there is nothing to wait
 * for; a server expected to fail ("ready": false) is waited for until it
 * ends (at most the deadline), and the expectations judge how it did. */
static bool wait_server_ready(const struct run_ctx *ctx, struct scenario_outcome *o)
{
    const struct eh_scenario *sc = ctx->sc;
    struct role_run *srv = &o->rr[EH_SERVER];
    const char *t = eh_transport_name(sc->transport), *f = eh_family_name(sc->family);
    int64_t ready_deadline = eh_now_us() + eh_scaled_ms(READY_TIMEOUT_MS) * 1000;
    struct eh_error err = {0};
    char said[200];
    if (ready_deadline > o->deadline)
        ready_deadline = o->deadline;
    if (!sc->roles[EH_SERVER].present)
        return true;
    if (sc->roles[EH_SERVER].no_ready) { /* "ready": false: wait for it to end instead */
        eh_proc_wait(srv->proc, o->deadline);
        return true;
    }
    if (srv->log_path[0] == '\0')
        return wait_server_serving(ctx, o, ready_deadline);
    eh_status st = eh_proc_wait_ready_fd(srv->proc, ready_deadline, &err);
    if (st == EH_TIMEOUT)
        return fail_run(o, EH_TIMED_OUT,
                        "the server was not ready within %lld ms (expected it to close its "
                        "ready fd once %s on %s/%s port %d)",
                        (long long)eh_scaled_ms(READY_TIMEOUT_MS),
                        sc->transport == EH_TCP ? "listening" : "bound", t, f, o->port);
    if (st != EH_OK) {
        last_stderr_line(srv->proc, said, sizeof(said));
        return fail_run(o, EH_ERROR, "the server ended before it was ready (%s%s)", err.msg, said);
    }
    o->ready_seen_us = eh_now_us();
    if (o->port == 0)
        o->port = port_from_log(srv->log_path);
    return true;
}

/* The harness's own client: runs the steps in this process and records its events. */
static bool run_scripted_client(const struct run_ctx *ctx, struct scenario_outcome *o)
{
    struct eh_proc_obs *po = &o->obs.roles[EH_CLIENT];
    struct role_run *cli = &o->rr[EH_CLIENT];
    struct eh_error err = {0};
    po->present = po->started = po->instrumented = true;
    const struct role_run *srv = &o->rr[EH_SERVER];
    struct eh_peer_server server = {
        .log = srv->log_path[0] ? srv->log_path : NULL, /* for await_server steps */
        .pid = srv->proc ? eh_proc_pid(srv->proc) : 0,  /* for pause_server steps */
    };
    int64_t peer_start_us = eh_now_us();
    eh_status st = eh_peer_run_with_server(ctx->sc, o->host, o->port, o->deadline, cli->log_path,
                                           &server, &err);
    int64_t peer_end_us = eh_now_us();
    po->runtime_us = peer_end_us - peer_start_us;
    po->events = eh_evlog_read(cli->log_path, EVLOG_MAX_BYTES);
    bound_log_zero(cli, po->events, peer_start_us, 0, peer_end_us);
    po->exited = true;
    po->exit_code = st == EH_OK ? 0 : 1;
    if (st == EH_TIMEOUT)
        o->client_timed_out = true;
    else if (st != EH_OK)
        return fail_run(o, EH_ERROR, "scripted client: %s", err.msg);
    return true;
}

/* A client program (reference or under test), run until it exits or the deadline. */
static bool run_client_program(struct scenario_outcome *o)
{
    struct role_run *cli = &o->rr[EH_CLIENT];
    struct eh_error err = {0};
    struct eh_spawn sp = {.argv = cli->argv, .output_cap = OUTPUT_CAP_BYTES};
    if (eh_proc_spawn(&sp, &cli->proc, &err) != EH_OK) {
        snprintf(cli->not_started, sizeof(cli->not_started), "%s", err.msg);
        return fail_run(o, strcmp(cli->kind, "reference") == 0 ? EH_ERROR : EH_FAIL, "client: %s",
                        err.msg);
    }
    if (eh_proc_wait(cli->proc, o->deadline) == EH_TIMEOUT)
        o->client_timed_out = true;
    return true;
}

static bool run_client(const struct run_ctx *ctx, struct scenario_outcome *o)
{
    struct eh_error err = {0};
    if (!ctx->sc->roles[EH_CLIENT].present)
        return true;
    if (prepare_role(ctx, &o->rr[EH_CLIENT], o->host, o->port, &err) != EH_OK)
        return fail_run(o, EH_ERROR, "--client-cmd: %s", err.msg);
    if (ctx->sc->roles[EH_CLIENT].n_steps > 0)
        return run_scripted_client(ctx, o);
    return run_client_program(o);
}

/* The client side, between two looks at the server process (watch.h) when
 * the scenario asks for them (server_fds, server_running). */
static bool run_client_watched(const struct run_ctx *ctx, struct scenario_outcome *o)
{
    bool watch = eh__watch_wanted(ctx->sc);
    if (watch)
        eh__watch_before(&o->obs.server, o->rr[EH_SERVER].proc);
    bool ok = run_client(ctx, o);
    if (watch)
        eh__watch_after(&o->obs.server, o->rr[EH_SERVER].proc);
    return ok;
}

/* After the client side: waits until the server has had its chance to act
 * on what the client did, judged by events, not by a fixed grace: it
 * exited; or it closed (FIN or RST) every TCP connection it had and
 * loopback has been quiet for CLOSED_QUIET_MS since; or loopback has been
 * quiet for QUIET_MS (a server that dies of SIGPIPE dies within
 * microseconds of the send after the RST, which is a packet). Without a
 * capture, QUIET_MS after the client. A server that keeps loopback busy
 * is stopped BUSY_MAX_MS after the client, and never past the deadline.
 * A reference build (it has an event log) ends on its own unless asked to
 * keep running, and logs and exits after its close(): it is given QUIET_MS
 * even after closing, so that its log ends with its exit. */
static void let_server_finish(struct scenario_outcome *o)
{
    struct eh_proc *srv = o->rr[EH_SERVER].proc;
    int64_t client_end = eh_now_us();
    int64_t latest = client_end + eh_scaled_ms(BUSY_MAX_MS) * 1000;
    latest = latest < o->deadline ? latest : o->deadline;
    while (eh_proc_wait(srv, 0) == EH_TIMEOUT) { /* still running */
        int64_t last = client_end, quiet_ms = QUIET_MS;
        if (o->cap) {
            struct eh_capture_live lv;
            eh_capture_live(o->cap, o->port, &lv);
            last = lv.last_packet_us > last ? lv.last_packet_us : last;
            if (lv.tcp_conns > 0 && lv.tcp_closed == lv.tcp_conns && !lv.tcp_untracked &&
                !o->rr[EH_SERVER].log_path[0])
                quiet_ms = CLOSED_QUIET_MS;
        }
        int64_t until = last + eh_scaled_ms(quiet_ms) * 1000, now = eh_now_us();
        until = until < latest ? until : latest;
        if (now >= until)
            return;
        struct pollfd pfd[2] = {
            {.fd = eh_proc_exit_fd(srv), .events = POLLIN},
            {.fd = o->cap ? eh_capture_wake_fd(o->cap) : -1, .events = POLLIN},
        };
        int ms = (int)((until - now + 999) / 1000);
        poll(pfd, 2, pfd[0].fd < 0 && ms > 2 ? 2 : ms);
    }
}

/* The server once it had its chance (it survived if it still runs: the
 * harness stops it), then the client if it still runs. */
static void stop_processes(struct scenario_outcome *o)
{
    struct eh_proc *srv = o->rr[EH_SERVER].proc, *cli = o->rr[EH_CLIENT].proc;
    if (srv) {
        if (o->run_verdict == EH_PASS) /* else nothing to wait for */
            let_server_finish(o);
        eh_proc_stop(srv, eh_scaled_ms(STOP_GRACE_MS));
    }
    if (cli)
        eh_proc_stop(cli, eh_scaled_ms(STOP_GRACE_MS));
}

/* Stops the capture; a drop makes the wire evidence incomplete: ERROR. */
static void stop_capture(struct scenario_outcome *o)
{
    struct eh_capture_stats st = {0};
    struct eh_error err = {0};
    if (!o->cap)
        return;
    if (eh_capture_stop(o->cap, &st, &err) != EH_OK)
        fail_run(o, EH_ERROR, "capture: %s", err.msg);
    else if (st.over_cap > 0)
        fail_run(o, EH_ERROR,
                 "capture reached its cap of %llu MiB (EH_CAPTURE_MAX_MIB) and left out %llu "
                 "packets: the wire evidence is incomplete",
                 (unsigned long long)eh_capture_max_mib(), (unsigned long long)st.over_cap);
    else if (st.dropped_kernel || st.dropped_iface)
        fail_run(o, EH_ERROR,
                 "capture dropped %llu packets (kernel %llu, interface %llu): the wire "
                 "evidence is incomplete",
                 (unsigned long long)(st.dropped_kernel + st.dropped_iface),
                 (unsigned long long)st.dropped_kernel, (unsigned long long)st.dropped_iface);
    json_object_set_new(o->result, "capture",
                        json_pack("{s:I, s:I, s:I}", "packets", (json_int_t)st.packets, "bytes",
                                  (json_int_t)st.bytes, "dropped",
                                  (json_int_t)(st.dropped_kernel + st.dropped_iface)));
    eh_capture_free(o->cap);
    o->cap = NULL;
}

static void tear_down(struct scenario_outcome *o)
{
    stop_processes(o);
    stop_capture(o);
    for (int i = 0; i < EH_ROLE_COUNT; i++) {
        struct role_run *rr = &o->rr[i];
        if (!rr->proc)
            continue;
        observe_proc(rr, &o->obs.roles[i]);
        if (o->obs.roles[i].instrumented) {
            int64_t start = eh_proc_start_us(rr->proc);
            bound_log_zero(rr, o->obs.roles[i].events, start, i == EH_SERVER ? o->ready_seen_us : 0,
                           start + eh_proc_runtime_us(rr->proc));
        }
    }
    if (o->client_timed_out && !o->obs.roles[EH_CLIENT].stopped_by_harness)
        o->obs.roles[EH_CLIENT].stopped_by_harness = true;
}

/* Wire analysis of what was captured, and the readable table `echoharness
 * analyze` prints. */
static void analyse_capture(const struct run_ctx *ctx, struct scenario_outcome *o)
{
    struct eh_error err = {0};
    if (!ctx->pcap_path[0] || !o->captured)
        return;
    if (eh_analyze_file(ctx->pcap_path, &o->an, &err) != EH_OK) {
        fail_run(o, EH_ERROR, "analysing the capture: %s", err.msg);
        return;
    }
    json_object_set_new(o->result, "wire", eh_analysis_to_json(o->an));
    count_retransmissions(json_object_get(o->result, "network"), eh_analysis_flows(o->an));
    char *text = NULL;
    size_t text_len = 0;
    FILE *mem = open_memstream(&text, &text_len);
    if (mem != NULL) {
        eh_analysis_print(o->an, mem);
        fclose(mem);
        json_object_set_new(o->result, "wire_text", json_stringn(text, text_len));
        free(text);
    }
}

/* Judges every expectation, unless the run never got as far as the checks. */
static json_t *judge_expectations(const struct eh_scenario *sc, struct scenario_outcome *o)
{
    json_t *checks = json_array();
    o->obs.wire = o->an ? eh_analysis_flows(o->an) : NULL;
    if (o->run_verdict != EH_PASS)
        return checks;
    for (size_t i = 0; i < sc->n_expects; i++) {
        const struct eh_expect *e = &sc->expects[i];
        struct eh_check *ck = &o->cks[i];
        eh_judge(e, &o->obs, ck);
        judge_cut_log(e, &o->obs, ck);
        json_t *c = json_object();
        json_object_set_new(c, "expect", json_string(e->path));
        json_object_set_new(c, "kind", json_string(eh_expect_name(e->kind)));
        if (expect_names_role(e->kind))
            json_object_set_new(c, "who", json_string(eh_role_name(e->who)));
        json_object_set_new(c, "verdict", json_string(eh_verdict_name(ck->verdict)));
        json_object_set_new(c, "reason", json_string(ck->reason));
        if (ck->evidence)
            json_object_set(c, "evidence", ck->evidence);
        json_array_append_new(checks, c);
    }
    return checks;
}

/* True if the check that gives the scenario its verdict v is a client_ends,
 * whose reason already says that the client was still running. */
static bool reason_says_still_running(const struct eh_scenario *sc, const struct eh_check *cks,
                                      enum eh_verdict v)
{
    for (size_t i = 0; i < sc->n_expects; i++)
        if (cks[i].verdict == v)
            return sc->expects[i].kind == EH_EXPECT_CLIENT_ENDS;
    return false;
}

/* The scenario's verdict and reason: the run's failure, else the checks'
 * (the first failing one speaks), else a client still running at the
 * deadline. The reason may point into o->run_reason or o->cks. */
static enum eh_verdict decide(const struct eh_scenario *sc, struct scenario_outcome *o,
                              const char **reason)
{
    enum eh_verdict v = o->run_verdict;
    *reason = o->run_reason;
    if (v != EH_PASS)
        return v;
    v = eh_combine(EH_PASS, o->cks, sc->n_expects);
    if (v == EH_FAIL || v == EH_ERROR) {
        for (size_t i = 0; i < sc->n_expects; i++)
            if (o->cks[i].verdict == v) {
                *reason = o->cks[i].reason;
                break;
            }
        if (o->client_timed_out && *reason != o->run_reason &&
            !reason_says_still_running(sc, o->cks, v)) {
            snprintf(o->run_reason, sizeof(o->run_reason),
                     "%s (the client side was still running at the %lld ms deadline)", *reason,
                     (long long)eh_scaled_ms(sc->timeout_ms));
            *reason = o->run_reason;
        }
    } else if (o->client_timed_out) {
        v = EH_TIMED_OUT;
        snprintf(o->run_reason, sizeof(o->run_reason),
                 "the exchange did not finish: the client side was still running at the "
                 "deadline (expected the client side to finish within %lld ms)",
                 (long long)eh_scaled_ms(sc->timeout_ms));
    } else {
        *reason = v == EH_PASS ? "all expectations met" : o->cks[0].reason;
    }
    return v;
}

/* Verdict, reason, checks, roles and endpoint into the result object. */
static void build_result(const struct eh_scenario *sc, struct scenario_outcome *o)
{
    json_t *checks = judge_expectations(sc, o);
    const char *reason;
    enum eh_verdict v = decide(sc, o, &reason);
    if (v != EH_PASS && v != EH_SKIP && reason != o->run_reason) {
        snprintf(o->run_reason, sizeof(o->run_reason), "%s", reason);
        reason = o->run_reason;
    }
    for (int i = 0; i < EH_ROLE_COUNT && reason == o->run_reason; i++)
        append_stderr_tail(o->run_reason, sizeof(o->run_reason), &o->rr[i]);
    json_object_set_new(o->result, "verdict", json_string(eh_verdict_name(v)));
    json_object_set_new(o->result, "reason", json_string(reason));
    json_object_set_new(o->result, "checks", checks);

    json_t *roles = json_object();
    for (int i = 0; i < EH_ROLE_COUNT; i++) {
        if (!sc->roles[i].present)
            continue;
        role_json(roles, &o->rr[i], &o->obs.roles[i]);
        clock_json(json_object_get(roles, eh_role_name(o->rr[i].id)), &o->rr[i],
                   json_object_get(o->result, "wire"), o->wall_offset_us,
                   o->an && o->an->packets > 0 ? o->an->first_us : 0);
    }
    json_object_set_new(o->result, "roles", roles);
    json_object_set_new(o->result, "endpoint",
                        json_pack("{s:s, s:s, s:s, s:i}", "transport",
                                  eh_transport_name(sc->transport), "family",
                                  eh_family_name(sc->family), "host", o->host, "port", o->port));
}

static void outcome_free(const struct eh_scenario *sc, struct scenario_outcome *o)
{
    for (size_t i = 0; i < sc->n_expects; i++)
        json_decref(o->cks[i].evidence);
    free(o->cks);
    eh_analysis_free(o->an);
    for (int i = 0; i < EH_ROLE_COUNT; i++) {
        eh_proc_free(o->rr[i].proc);
        eh_argv_free(o->rr[i].argv);
    }
    eh_observation_clear(&o->obs);
    json_decref(o->result);
}

static void send_result(const json_t *result, int fd)
{
    char *text = json_dumps(result, JSON_COMPACT);
    size_t len = text ? strlen(text) : 0, off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(text);
}

/* Runs inside the scenario's namespaces (PID 1 there): the stages in order;
 * a failed stage skips the ones that would start something, never the
 * teardown, the analysis or the result. */
/* A program under test sees a /proc of the scenario's PID namespace: the
 * runner, PID 1 there, moves to a mount namespace of its own and mounts one
 * over the host's (best effort: a container that masks parts of /proc
 * refuses it, and the host's stays). Under the host's /proc a process finds
 * another one, or none, at /proc/<getpid()>: LeakSanitizer, which reads
 * /proc/<pid>/task at exit, then fails the program, and a runtime that reads
 * its own /proc/<pid> is misled. Not for the reference builds, which never
 * do (mounting costs some milliseconds a scenario). The propagation change
 * names "none" as source and type, which the kernel ignores there, rather
 * than NULL, which memcheck reports as an unaddressable argument. */
static void own_proc_for_programs(const struct run_ctx *ctx, enum eh_isolation mode)
{
    const struct eh_role *roles = ctx->sc->roles;
    if (mode != EH_ISO_NAMESPACES || (!role_uses_cmd(&roles[EH_SERVER], ctx->cfg->server_cmd) &&
                                      !role_uses_cmd(&roles[EH_CLIENT], ctx->cfg->client_cmd)))
        return;
    if (unshare(CLONE_NEWNS) == 0 && mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0)
        (void)mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

static int scenario_main(void *arg, enum eh_isolation mode, int result_fd)
{
    struct run_ctx *ctx = arg;
    struct scenario_outcome o;

    signal(SIGPIPE, SIG_IGN);
    own_proc_for_programs(ctx, mode);
    outcome_init(&o, ctx, mode);
    if (choose_endpoint(ctx, &o) && set_network(ctx, &o, false) && start_capture(ctx, &o) &&
        set_network(ctx, &o, true) && start_server(ctx, &o) && wait_server_ready(ctx, &o))
        run_client_watched(ctx, &o);
    tear_down(&o);
    analyse_capture(ctx, &o);
    build_result(ctx->sc, &o);
    send_result(o.result, result_fd);
    outcome_free(ctx->sc, &o);
    return 0;
}

static void rm_tree(const char *dir)
{
    char path[PATH_MAX];
    const char *names[] = {"server.log", "client.log"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* The fields every result carries besides its verdict and reason. */
static void set_meta(json_t *result, const struct eh_scenario *sc, int64_t t0)
{
    json_object_set_new(result, "name", json_string(sc->name));
    json_object_set_new(result, "file", json_string(sc->path));
    json_object_set_new(result, "description", json_string(sc->description));
    json_object_set_new(result, "kind", json_string(sc->kind));
    json_t *tags = json_array();
    for (size_t i = 0; i < sc->n_tags; i++)
        json_array_append_new(tags, json_string(sc->tags[i]));
    json_object_set_new(result, "tags", tags);
    json_object_set_new(result, "duration_ms", json_integer((eh_now_us() - t0) / 1000));
    if (!json_object_get(result, "checks"))
        json_object_set_new(result, "checks", json_array());
}

json_t *eh_scenario_not_run(const struct eh_scenario *sc, const char *reason)
{
    json_t *result = json_pack("{s:s, s:s}", "verdict", "SKIP", "reason", reason);
    set_meta(result, sc, eh_now_us());
    return result;
}

/* The event-log directory and the capture's path; NULL, or an ERROR result. */
static json_t *prepare_paths(struct run_ctx *ctx, const char *stem)
{
    struct eh_error err = {0};
    snprintf(ctx->tmpdir, sizeof(ctx->tmpdir), "%s/echoharness.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(ctx->tmpdir))
        return json_pack("{s:s, s:s+}", "verdict", "ERROR", "reason", "mkdtemp: ", strerror(errno));
    if (ctx->cfg->report_dir) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/pcap", ctx->cfg->report_dir);
        if (eh_mkdir_p(dir, &err) != EH_OK) {
            rm_tree(ctx->tmpdir);
            return json_pack("{s:s, s:s}", "verdict", "ERROR", "reason", err.msg);
        }
        snprintf(ctx->pcap_path, sizeof(ctx->pcap_path), "%s/%s", dir, stem);
    }
    return NULL;
}

/* The result the scenario process sent, or why there is none. */
static json_t *isolated_result(eh_status st, const char *buf, size_t len, int64_t limit_ms,
                               const struct eh_error *err)
{
    json_error_t jerr;
    json_t *result;
    char reason[256];
    switch (st) {
    case EH_OK:
        result = json_loadb(buf ? buf : "", len, 0, &jerr);
        if (!result)
            result = json_pack("{s:s, s:s+}", "verdict", "ERROR", "reason",
                               "the scenario process ended without a result: ", jerr.text);
        return result;
    case EH_TIMEOUT:
        snprintf(reason, sizeof(reason),
                 "expected the scenario to finish within %lld ms, got still running: the "
                 "harness killed its namespace",
                 (long long)limit_ms);
        return json_pack("{s:s, s:s}", "verdict", "TIMEOUT", "reason", reason);
    case EH_ERR:
        break;
    }
    return json_pack("{s:s, s:s}", "verdict", "ERROR", "reason", err->msg);
}

/* Removes the event logs and a capture cut short by a kill ("<stem>.tmp");
 * names the capture in the result if there is one. */
static void clean_up(const struct run_ctx *ctx, const char *stem, json_t *result)
{
    rm_tree(ctx->tmpdir);
    if (!ctx->pcap_path[0])
        return;
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", ctx->pcap_path);
    unlink(tmp);
    if (access(ctx->pcap_path, F_OK) == 0) {
        char rel[PATH_MAX];
        snprintf(rel, sizeof(rel), "pcap/%s", stem);
        json_object_set_new(result, "pcap", json_string(rel));
    }
}

json_t *eh_run_scenario(const struct eh_scenario *sc, const struct eh_run_config *cfg, unsigned run)
{
    int64_t t0 = eh_now_us();
    char stem[PATH_MAX]; /* the capture's file name: <name>.pcap, or <name>.run<k>.pcap */
    struct run_ctx ctx = {.sc = sc, .cfg = cfg};
    json_t *result = NULL;
    enum eh_isolation mode = EH_ISO_NAMESPACES;
    struct eh_error err = {0};
    char why[512];

    if (run == 0)
        snprintf(stem, sizeof(stem), "%s.pcap", sc->name);
    else
        snprintf(stem, sizeof(stem), "%s.run%u.pcap", sc->name, run);
    if (!eh_scenario_applies(sc, cfg->server_cmd, cfg->client_cmd, why, sizeof(why)))
        result = json_pack("{s:s, s:s}", "verdict", "SKIP", "reason", why);
    else
        result = prepare_paths(&ctx, stem);
    if (result == NULL) {
        char *buf = NULL;
        size_t len = 0;
        int64_t limit_ms = eh_scaled_ms(sc->timeout_ms) + eh_scaled_ms(TEARDOWN_MARGIN_MS);
        eh_status st = eh_isolate_run(scenario_main, &ctx, sizeof(ctx), cfg->force_host,
                                      t0 + limit_ms * 1000, &mode, &buf, &len, &err);
        result = isolated_result(st, buf, len, limit_ms, &err);
        free(buf);
        clean_up(&ctx, stem, result);
        json_object_set_new(result, "isolation", json_string(eh_isolation_name(mode)));
    }
    set_meta(result, sc, t0);
    return result;
}
