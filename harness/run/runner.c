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

#include "escape.h"
#include "analyze.h"
#include "capture.h"
#include "isolate.h"
#include "launch.h"
#include "peer.h"
#include "template.h"
#include "timeline.h"
#include "verdict.h"
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 5000   /* server readiness, before the scale */
#define LINGER_MS 1000          /* a server's time to end on its own after the client */
#define STOP_GRACE_MS 1000      /* SIGTERM -> SIGKILL */
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
        return true;
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

/* Fills the observation of a finished (or stopped) process. */
static void observe_proc(struct role_run *rr, struct eh_proc_obs *o)
{
    o->present = true;
    o->started = rr->proc != NULL;
    if (!rr->proc)
        return;
    o->stopped_by_harness = eh_proc_stopped_by_harness(rr->proc);
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

static void set_run(enum eh_verdict *run_verdict, char *run_reason, size_t len, enum eh_verdict v,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void set_run(enum eh_verdict *run_verdict, char *run_reason, size_t len, enum eh_verdict v,
                    const char *fmt, ...)
{
    if (*run_verdict != EH_PASS)
        return; /* the first problem wins */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(run_reason, len, fmt, ap);
    va_end(ap);
    *run_verdict = v;
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

/* When a server never became ready for the scenario's transport and family,
 * says if it is there with another one: the usual cause is a TCP-only or
 * IPv4-only program run by a udp or ipv6 scenario. Empty hint otherwise. */
static void other_listener_hint(const struct eh_scenario *sc, int port, char *hint, size_t len)
{
    static const enum eh_transport transports[] = {EH_TCP, EH_UDP};
    static const enum eh_family families[] = {EH_IPV4, EH_IPV6};
    hint[0] = '\0';
    for (size_t t = 0; t < 2; t++) {
        for (size_t f = 0; f < 2; f++) {
            if (transports[t] == sc->transport && families[f] == sc->family)
                continue;
            if (eh_wait_listening(transports[t], families[f], port, NULL, 0, NULL) == EH_OK) {
                snprintf(hint, len,
                         " (an %s %s socket is there: select the scenarios your program "
                         "serves with --tag)",
                         eh_family_name(families[f]), eh_transport_name(transports[t]));
                return;
            }
        }
    }
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

/* Runs inside the scenario's namespaces (PID 1 there). */
static int scenario_main(void *arg, enum eh_isolation mode, int result_fd)
{
    struct run_ctx *ctx = arg;
    const struct eh_scenario *sc = ctx->sc;
    const struct eh_run_config *cfg = ctx->cfg;
    int64_t t0 = eh_now_us();
    int64_t deadline = t0 + eh_scaled_ms(sc->timeout_ms) * 1000;
    int64_t wall_offset_us = wall_minus_mono_us();
    int64_t ready_seen_us = 0;
    enum eh_verdict run_verdict = EH_PASS;
    char run_reason[768] = "";
    struct eh_observation obs;
    struct role_run rr[EH_ROLE_COUNT];
    struct eh_capture *cap = NULL;
    struct eh_error err = {0};
    bool client_timed_out = false;
    const char *host = sc->host;
    int port = cfg->port ? cfg->port : sc->port;
    json_t *result = json_object();

    memset(&obs, 0, sizeof(obs));
    memset(rr, 0, sizeof(rr));
    rr[EH_SERVER].id = EH_SERVER;
    rr[EH_CLIENT].id = EH_CLIENT;
    signal(SIGPIPE, SIG_IGN);

    if (mode == EH_ISO_HOST && port != 0 && cfg->port == 0) {
        port = eh_alloc_port(sc->transport == EH_UDP ? SOCK_DGRAM : SOCK_STREAM);
        if (port <= 0)
            set_run(&run_verdict, run_reason, sizeof(run_reason), EH_ERROR,
                    "host loopback: no free %s port to allocate: %s",
                    eh_transport_name(sc->transport), strerror(errno));
    }
    if (run_verdict == EH_PASS && eh_read_port_range(&obs.port_lo, &obs.port_hi, &err) != EH_OK)
        set_run(&run_verdict, run_reason, sizeof(run_reason), EH_ERROR, "%s", err.msg);

    /* Capture first, so that no packet of any process is missed. */
    if (run_verdict == EH_PASS && ctx->pcap_path[0]) {
        char filter[64] = "";
        if (mode == EH_ISO_HOST && port != 0)
            snprintf(filter, sizeof(filter), "port %d", port);
        eh_error_clear(&err);
        if (eh_capture_start("lo", filter[0] ? filter : NULL, ctx->pcap_path, &cap, &err) != EH_OK)
            set_run(&run_verdict, run_reason, sizeof(run_reason), EH_ERROR, "capture: %s", err.msg);
    }

    /* Server: start it and wait until it listens. */
    struct role_run *srv = &rr[EH_SERVER];
    eh_error_clear(&err);
    if (run_verdict == EH_PASS && prepare_role(ctx, srv, host, port, &err) != EH_OK)
        set_run(&run_verdict, run_reason, sizeof(run_reason), EH_ERROR, "--server-cmd: %s",
                err.msg);
    if (run_verdict == EH_PASS) {
        struct eh_spawn sp = {.argv = srv->argv,
                              .ready_fd = srv->log_path[0] != '\0',
                              .output_cap = OUTPUT_CAP_BYTES};
        eh_error_clear(&err);
        if (eh_proc_spawn(&sp, &srv->proc, &err) != EH_OK) {
            snprintf(srv->not_started, sizeof(srv->not_started), "%s", err.msg);
            set_run(&run_verdict, run_reason, sizeof(run_reason), EH_ERROR, "server: %s", err.msg);
        }
    }
    if (run_verdict == EH_PASS) {
        int64_t ready_deadline = eh_now_us() + eh_scaled_ms(READY_TIMEOUT_MS) * 1000;
        if (ready_deadline > deadline)
            ready_deadline = deadline;
        eh_status st;
        eh_error_clear(&err);
        if (srv->log_path[0] != '\0')
            st = eh_proc_wait_ready_fd(srv->proc, ready_deadline, &err);
        else
            st =
                eh_wait_listening(sc->transport, sc->family, port, srv->proc, ready_deadline, &err);
        if (st == EH_TIMEOUT) {
            char hint[160];
            other_listener_hint(sc, port, hint, sizeof(hint));
            set_run(&run_verdict, run_reason, sizeof(run_reason), EH_TIMED_OUT,
                    "expected the server to be %s on %s %s port %d within %lld ms, got nothing "
                    "%s%s",
                    sc->transport == EH_TCP ? "listening" : "bound", eh_family_name(sc->family),
                    eh_transport_name(sc->transport), port,
                    (long long)eh_scaled_ms(READY_TIMEOUT_MS),
                    sc->transport == EH_TCP ? "listening" : "bound", hint);
        } else if (st != EH_OK) {
            char said[200];
            last_stderr_line(srv->proc, said, sizeof(said));
            set_run(&run_verdict, run_reason, sizeof(run_reason),
                    strcmp(srv->kind, "reference") == 0 ? EH_ERROR : EH_FAIL,
                    "expected the server to become ready, got: %s%s", err.msg, said);
        } else {
            ready_seen_us = eh_now_us();
            if (port == 0 && srv->log_path[0])
                port = port_from_log(srv->log_path);
        }
    }
    bool watch = run_verdict == EH_PASS && eh__watch_wanted(sc);
    if (watch)
        eh__watch_before(&obs.server, srv->proc);

    /* Client side: the scripted peer, or a program. */
    struct role_run *cli = &rr[EH_CLIENT];
    if (run_verdict == EH_PASS && sc->roles[EH_CLIENT].present) {
        eh_error_clear(&err);
        if (prepare_role(ctx, cli, host, port, &err) != EH_OK) {
            set_run(&run_verdict, run_reason, sizeof(run_reason), EH_ERROR, "--client-cmd: %s",
                    err.msg);
        } else if (sc->roles[EH_CLIENT].n_steps > 0) {
            struct eh_proc_obs *o = &obs.roles[EH_CLIENT];
            o->present = o->started = o->instrumented = true;
            int64_t peer_start_us = eh_now_us();
            eh_status st = eh_peer_run(sc, host, port, deadline, cli->log_path, &err);
            int64_t peer_end_us = eh_now_us();
            o->events = eh_evlog_read(cli->log_path, EVLOG_MAX_BYTES);
            bound_log_zero(cli, o->events, peer_start_us, 0, peer_end_us);
            o->exited = true;
            o->exit_code = st == EH_OK ? 0 : 1;
            if (st == EH_TIMEOUT)
                client_timed_out = true;
            else if (st != EH_OK)
                set_run(&run_verdict, run_reason, sizeof(run_reason), EH_ERROR,
                        "scripted client: %s", err.msg);
        } else {
            struct eh_spawn sp = {.argv = cli->argv, .output_cap = OUTPUT_CAP_BYTES};
            if (eh_proc_spawn(&sp, &cli->proc, &err) != EH_OK) {
                snprintf(cli->not_started, sizeof(cli->not_started), "%s", err.msg);
                set_run(&run_verdict, run_reason, sizeof(run_reason),
                        strcmp(cli->kind, "reference") == 0 ? EH_ERROR : EH_FAIL, "client: %s",
                        err.msg);
            } else if (eh_proc_wait(cli->proc, deadline) == EH_TIMEOUT) {
                client_timed_out = true;
            }
        }
    }

    /* Teardown: let the server end on its own for a moment, then stop it (a
     * watched server, given its moment in the watch, is stopped at once). */
    if (watch)
        eh__watch_after(&obs.server, srv->proc);
    if (srv->proc) {
        int64_t linger =
            eh_now_us() + eh_scaled_ms(watch && obs.server.running ? 0 : LINGER_MS) * 1000;
        eh_proc_wait(srv->proc, linger < deadline ? linger : deadline);
        eh_proc_stop(srv->proc, eh_scaled_ms(STOP_GRACE_MS));
    }
    if (cli->proc)
        eh_proc_stop(cli->proc, eh_scaled_ms(STOP_GRACE_MS));
    if (cap) {
        struct eh_capture_stats st = {0};
        eh_error_clear(&err);
        if (eh_capture_stop(cap, &st, &err) != EH_OK)
            set_run(&run_verdict, run_reason, sizeof(run_reason), EH_ERROR, "capture: %s", err.msg);
        else if (st.dropped_kernel || st.dropped_iface)
            set_run(&run_verdict, run_reason, sizeof(run_reason), EH_ERROR,
                    "capture dropped %llu packets (kernel %llu, interface %llu): the wire "
                    "evidence is incomplete",
                    (unsigned long long)(st.dropped_kernel + st.dropped_iface),
                    (unsigned long long)st.dropped_kernel, (unsigned long long)st.dropped_iface);
        json_t *cj = json_object();
        json_object_set_new(cj, "packets", json_integer((json_int_t)st.packets));
        json_object_set_new(cj, "bytes", json_integer((json_int_t)st.bytes));
        json_object_set_new(cj, "dropped",
                            json_integer((json_int_t)(st.dropped_kernel + st.dropped_iface)));
        json_object_set_new(result, "capture", cj);
        eh_capture_free(cap);
    }
    for (int i = 0; i < EH_ROLE_COUNT; i++) {
        if (!rr[i].proc)
            continue;
        observe_proc(&rr[i], &obs.roles[i]);
        if (obs.roles[i].instrumented) {
            int64_t start = eh_proc_start_us(rr[i].proc);
            bound_log_zero(&rr[i], obs.roles[i].events, start, i == EH_SERVER ? ready_seen_us : 0,
                           start + eh_proc_runtime_us(rr[i].proc));
        }
    }
    if (client_timed_out && !obs.roles[EH_CLIENT].stopped_by_harness)
        obs.roles[EH_CLIENT].stopped_by_harness = true;

    /* Wire analysis of what was captured. */
    struct eh_analysis *an = NULL;
    if (ctx->pcap_path[0] && cap) {
        eh_error_clear(&err);
        if (eh_analyze_file(ctx->pcap_path, &an, &err) == EH_OK) {
            json_object_set_new(result, "wire", eh_analysis_to_json(an));
            char *text = NULL;
            size_t text_len = 0;
            FILE *mem = open_memstream(&text, &text_len);
            if (mem != NULL) { /* the readable table `echoharness analyze` prints */
                eh_analysis_print(an, mem);
                fclose(mem);
                json_object_set_new(result, "wire_text", json_stringn(text, text_len));
                free(text);
            }
        } else {
            set_run(&run_verdict, run_reason, sizeof(run_reason), EH_ERROR,
                    "analysing the capture: %s", err.msg);
        }
    }

    /* Judge. */
    json_t *checks = json_array();
    struct eh_check *cks = calloc(sc->n_expects ? sc->n_expects : 1, sizeof(*cks));
    obs.wire = an ? eh_analysis_flows(an) : NULL;
    if (run_verdict == EH_PASS) { /* else the run never got as far as the checks */
        for (size_t i = 0; i < sc->n_expects; i++) {
            const struct eh_expect *e = &sc->expects[i];
            eh_judge(e, &obs, &cks[i]);
            json_t *c = json_object();
            json_object_set_new(c, "expect", json_string(e->path));
            json_object_set_new(c, "kind", json_string(eh_expect_name(e->kind)));
            if (expect_names_role(e->kind))
                json_object_set_new(c, "who", json_string(eh_role_name(e->who)));
            json_object_set_new(c, "verdict", json_string(eh_verdict_name(cks[i].verdict)));
            json_object_set_new(c, "reason", json_string(cks[i].reason));
            if (cks[i].evidence)
                json_object_set(c, "evidence", cks[i].evidence);
            json_array_append_new(checks, c);
        }
    }
    enum eh_verdict v;
    const char *reason = run_reason;
    if (run_verdict != EH_PASS) {
        v = run_verdict;
    } else {
        v = eh_combine(EH_PASS, cks, sc->n_expects);
        if (v == EH_FAIL || v == EH_ERROR) {
            for (size_t i = 0; i < sc->n_expects; i++)
                if (cks[i].verdict == v) {
                    reason = cks[i].reason;
                    break;
                }
        } else if (client_timed_out) {
            v = EH_TIMED_OUT;
            snprintf(run_reason, sizeof(run_reason),
                     "expected the client side to finish within %lld ms, got still running at "
                     "the deadline",
                     (long long)eh_scaled_ms(sc->timeout_ms));
        } else {
            reason = v == EH_PASS ? "all expectations met" : cks[0].reason;
        }
    }
    if ((v == EH_FAIL || v == EH_ERROR) && client_timed_out && reason != run_reason) {
        snprintf(run_reason, sizeof(run_reason),
                 "%s (the client side was still running at the "
                 "%lld ms deadline)",
                 reason, (long long)eh_scaled_ms(sc->timeout_ms));
        reason = run_reason;
    }
    json_object_set_new(result, "verdict", json_string(eh_verdict_name(v)));
    json_object_set_new(result, "reason", json_string(reason));
    json_object_set_new(result, "checks", checks);

    json_t *roles = json_object();
    for (int i = 0; i < EH_ROLE_COUNT; i++)
        if (sc->roles[i].present) {
            role_json(roles, &rr[i], &obs.roles[i]);
            clock_json(json_object_get(roles, eh_role_name(rr[i].id)), &rr[i],
                       json_object_get(result, "wire"), wall_offset_us,
                       an && an->packets > 0 ? an->first_us : 0);
        }
    json_object_set_new(result, "roles", roles);
    json_t *ep = json_pack("{s:s, s:s, s:s, s:i}", "transport", eh_transport_name(sc->transport),
                           "family", eh_family_name(sc->family), "host", host, "port", port);
    json_object_set_new(result, "endpoint", ep);

    for (size_t i = 0; i < sc->n_expects; i++)
        json_decref(cks[i].evidence);
    free(cks);
    eh_analysis_free(an);
    for (int i = 0; i < EH_ROLE_COUNT; i++) {
        eh_proc_free(rr[i].proc);
        eh_argv_free(rr[i].argv);
    }
    eh_observation_clear(&obs);

    char *text = json_dumps(result, JSON_COMPACT);
    json_decref(result);
    size_t len = text ? strlen(text) : 0, off = 0;
    while (off < len) {
        ssize_t w = write(result_fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(text);
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

static bool scenario_applies(const struct eh_scenario *sc, const struct eh_run_config *cfg,
                             char *why, size_t len)
{
    if (!cfg->server_cmd && !cfg->client_cmd)
        return true;
    if (role_uses_cmd(&sc->roles[EH_SERVER], cfg->server_cmd) ||
        role_uses_cmd(&sc->roles[EH_CLIENT], cfg->client_cmd))
        return true;
    snprintf(why, len,
             "no role of this %s scenario is under test for the given %s: it runs the reference "
             "builds only",
             sc->kind,
             cfg->server_cmd && cfg->client_cmd ? "--server-cmd/--client-cmd"
             : cfg->server_cmd                  ? "--server-cmd"
                                                : "--client-cmd");
    return false;
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
    if (!scenario_applies(sc, cfg, why, sizeof(why))) {
        result = json_pack("{s:s, s:s}", "verdict", "SKIP", "reason", why);
        goto meta;
    }
    snprintf(ctx.tmpdir, sizeof(ctx.tmpdir), "%s/echoharness.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(ctx.tmpdir)) {
        result =
            json_pack("{s:s, s:s+}", "verdict", "ERROR", "reason", "mkdtemp: ", strerror(errno));
        goto meta;
    }
    if (cfg->report_dir) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/pcap", cfg->report_dir);
        if (eh_mkdir_p(dir, &err) != EH_OK) {
            rm_tree(ctx.tmpdir);
            result = json_pack("{s:s, s:s}", "verdict", "ERROR", "reason", err.msg);
            goto meta;
        }
        snprintf(ctx.pcap_path, sizeof(ctx.pcap_path), "%s/%s", dir, stem);
    }

    char *buf = NULL;
    size_t len = 0;
    int64_t deadline =
        t0 + (eh_scaled_ms(sc->timeout_ms) + eh_scaled_ms(TEARDOWN_MARGIN_MS)) * 1000;
    eh_status st =
        eh_isolate_run(scenario_main, &ctx, cfg->force_host, deadline, &mode, &buf, &len, &err);
    if (st == EH_OK) {
        json_error_t jerr;
        result = json_loadb(buf ? buf : "", len, 0, &jerr);
        if (!result)
            result = json_pack("{s:s, s:s+}", "verdict", "ERROR", "reason",
                               "the scenario process ended without a result: ", jerr.text);
    } else if (st == EH_TIMEOUT) {
        char reason[256];
        snprintf(reason, sizeof(reason),
                 "expected the scenario to finish within %lld ms, got still running: the "
                 "harness killed its namespace",
                 (long long)((deadline - t0) / 1000));
        result = json_pack("{s:s, s:s}", "verdict", "TIMEOUT", "reason", reason);
    } else {
        result = json_pack("{s:s, s:s}", "verdict", "ERROR", "reason", err.msg);
    }
    free(buf);
    rm_tree(ctx.tmpdir);
    if (ctx.pcap_path[0]) { /* a capture cut short by a kill stays "<stem>.tmp" */
        char tmp[PATH_MAX + 8];
        snprintf(tmp, sizeof(tmp), "%s.tmp", ctx.pcap_path);
        unlink(tmp);
    }
    if (ctx.pcap_path[0] && access(ctx.pcap_path, F_OK) == 0) {
        char rel[PATH_MAX];
        snprintf(rel, sizeof(rel), "pcap/%s", stem);
        json_object_set_new(result, "pcap", json_string(rel));
    }
    json_object_set_new(result, "isolation", json_string(eh_isolation_name(mode)));

meta:
    set_meta(result, sc, t0);
    return result;
}
