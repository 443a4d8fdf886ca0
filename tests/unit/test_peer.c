/* test_peer.c - unit tests of peer.c: the scripted client against tiny servers.
 *
 * Each test starts a small server on the loopback (port 0, so nothing
 * collides), runs a list of steps with eh_peer_run() and checks the events it
 * logged: the calls, their results and errno names, the addresses and the
 * "data" hex, and how a deadline, a refused connection and an abortive close
 * show up. Servers run in a thread; the one for the deadline test is a
 * listener that never accepts. The steps for servers (nodelay, paced sends,
 * stream, clients, repeat, step timeouts) run against the same servers, and
 * the conn_end summary of a connection record is checked on records filled
 * by hand (peer_int.h), for the echoes no well-behaved server gives.
 */
#include "peer.h"
#include "peer_int.h"
#include "prng.h"
#include "verdict.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum server_mode {
    SERVE_ECHO,     /* echo until EOF or an error */
    SERVE_SINK,     /* read and count until EOF or an error */
    SERVE_BYE,      /* send "bye" and close */
    SERVE_UDP,      /* echo one datagram */
    SERVE_MANY,     /* echo each connection in a thread of its own, until `conns` were served */
    SERVE_UDP_MANY, /* echo datagrams until none came for 300 ms */
};

struct server {
    enum server_mode mode;
    int fd; /* listening (TCP) or bound (UDP) socket */
    int port;
    pthread_t thread;
    int end_errno;     /* errno of the recv that ended the connection; 0 at EOF */
    size_t bytes_read; /* bytes */
    int conns;         /* SERVE_MANY: connections to serve */
};

/* Echoes one connection until EOF or an error, then closes it. */
static void *echo_conn(void *arg)
{
    int c = (int)(intptr_t)arg;
    char buf[65536];
    ssize_t n;
    while ((n = recv(c, buf, sizeof(buf), 0)) > 0)
        if (send(c, buf, (size_t)n, MSG_NOSIGNAL) != n)
            break;
    close(c);
    return NULL;
}

static void serve_many(struct server *s)
{
    pthread_t t[16];
    int n = 0;
    for (; n < s->conns && n < 16; n++) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0 || pthread_create(&t[n], NULL, echo_conn, (void *)(intptr_t)c) != 0)
            break;
    }
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

static void serve_udp_many(struct server *s)
{
    char buf[65536];
    struct timeval tv = {.tv_usec = 300000};
    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (;;) {
        struct sockaddr_storage from;
        socklen_t len = sizeof(from);
        ssize_t n = recvfrom(s->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
        if (n < 0)
            return;
        sendto(s->fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
    }
}

static void *serve(void *arg)
{
    struct server *s = arg;
    char buf[65536];
    if (s->mode == SERVE_MANY) {
        serve_many(s);
        return NULL;
    }
    if (s->mode == SERVE_UDP_MANY) {
        serve_udp_many(s);
        return NULL;
    }
    if (s->mode == SERVE_UDP) {
        struct sockaddr_storage from;
        socklen_t len = sizeof(from);
        ssize_t n = recvfrom(s->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
        if (n >= 0)
            sendto(s->fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
        return NULL;
    }
    int c = accept(s->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    if (s->mode == SERVE_BYE) {
        send(c, "bye", 3, MSG_NOSIGNAL);
        close(c);
        return NULL;
    }
    for (;;) {
        ssize_t n = recv(c, buf, sizeof(buf), 0);
        if (n <= 0) {
            s->end_errno = n < 0 ? errno : 0;
            break;
        }
        s->bytes_read += (size_t)n;
        if (s->mode == SERVE_ECHO && send(c, buf, (size_t)n, MSG_NOSIGNAL) != n)
            break;
    }
    close(c);
    return NULL;
}

/* Binds to port 0 on the loopback of `family`; listens unless UDP or
 * `listening` is false; starts the serving thread if `thread`. */
static void server_start(struct server *s, enum server_mode mode, int family, bool listening,
                         bool thread)
{
    memset(s, 0, sizeof(*s));
    s->mode = mode;
    bool udp = mode == SERVE_UDP || mode == SERVE_UDP_MANY;
    s->fd = socket(family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    ck_assert_int_ge(s->fd, 0);
    struct sockaddr_storage ss = {0};
    socklen_t len;
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*a);
    }
    ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&ss, len), 0);
    ck_assert_int_eq(getsockname(s->fd, (struct sockaddr *)&ss, &len), 0);
    s->port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                       : ((struct sockaddr_in *)&ss)->sin_port);
    if (!udp && listening)
        ck_assert_int_eq(listen(s->fd, 4), 0);
    if (thread)
        ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s, bool thread)
{
    if (thread)
        pthread_join(s->thread, NULL);
    close(s->fd);
}

static struct eh_step step(enum eh_step_kind kind)
{
    return (struct eh_step){.kind = kind, .path = "$.client.steps[?]"};
}

static struct eh_step send_text(const char *text)
{
    struct eh_step st = step(EH_STEP_SEND);
    st.data = (unsigned char *)text;
    st.data_len = strlen(text);
    return st;
}

static struct eh_step recv_step(enum eh_recv_mode mode, size_t bytes)
{
    struct eh_step st = step(EH_STEP_RECV);
    st.recv_mode = mode;
    st.recv_bytes = bytes;
    return st;
}

/* Runs the steps as the client of a scenario with this transport and family. */
static eh_status run(enum eh_transport t, enum eh_family f, struct eh_step *steps, size_t n,
                     int port, int64_t deadline_us, json_t *events, struct eh_error *err)
{
    for (size_t i = 0; i < n; i++)
        snprintf(steps[i].path, sizeof(steps[i].path), "$.client.steps[%zu]", i);
    struct eh_scenario sc = {.transport = t, .family = f};
    sc.roles[EH_CLIENT] = (struct eh_role){.present = true, .steps = steps, .n_steps = n};
    char log_path[] = "/tmp/eh-test-peer.XXXXXX";
    int fd = mkstemp(log_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    eh_status st =
        eh_peer_run(&sc, f == EH_IPV6 ? "::1" : "127.0.0.1", port, deadline_us, log_path, err);
    json_t *logged = eh_evlog_read(log_path, 64u << 20);
    json_array_extend(events, logged);
    json_decref(logged);
    unlink(log_path);
    return st;
}

/* Runs an await_server for `match` against a server log holding log_text
 * (NULL: no server log), then a connect to port. */
static eh_status run_await(const char *log_text, struct eh_match *match, int64_t ms, int port,
                           json_t *events)
{
    struct eh_step steps[] = {step(EH_STEP_AWAIT_SERVER), step(EH_STEP_CONNECT)};
    steps[0].await = match;
    steps[0].sleep_ms = ms;
    struct eh_scenario sc = {.transport = EH_TCP, .family = EH_IPV4};
    sc.roles[EH_CLIENT] = (struct eh_role){.present = true, .steps = steps, .n_steps = 2};
    char log_path[] = "/tmp/eh-test-peer.XXXXXX", server_log[] = "/tmp/eh-test-server.XXXXXX";
    int fd = mkstemp(log_path), sfd = mkstemp(server_log);
    ck_assert(fd >= 0 && sfd >= 0);
    close(fd);
    if (log_text != NULL)
        ck_assert_int_eq(write(sfd, log_text, strlen(log_text)), (ssize_t)strlen(log_text));
    close(sfd);
    struct eh_error err = {0};
    struct eh_peer_server server = {.log = log_text ? server_log : NULL};
    eh_status st = eh_peer_run_with_server(&sc, "127.0.0.1", port, eh_now_us() + 5000000, log_path,
                                           &server, &err);
    json_t *logged = eh_evlog_read(log_path, 1u << 20);
    json_array_extend(events, logged);
    json_decref(logged);
    unlink(log_path);
    unlink(server_log);
    return st;
}

static int64_t in_ms(int64_t base_ms)
{
    return eh_now_us() + eh_scaled_ms(base_ms) * 1000;
}

static const char *call_of(const json_t *ev)
{
    return json_string_value(json_object_get(ev, "call"));
}

/* The first event with this call at or after index *from (updated). */
static json_t *find(json_t *events, const char *call, size_t *from)
{
    for (size_t i = *from; i < json_array_size(events); i++) {
        json_t *ev = json_array_get(events, i);
        if (strcmp(call_of(ev), call) == 0) {
            *from = i + 1;
            return ev;
        }
    }
    ck_abort_msg("no %s event at or after index %zu", call, *from);
    return NULL;
}

static json_int_t int_field(const json_t *ev, const char *key)
{
    const json_t *v = json_object_get(ev, key);
    ck_assert_msg(json_is_integer(v), "event has no integer %s", key);
    return json_integer_value(v);
}

static const char *str_field(const json_t *ev, const char *key)
{
    const char *s = json_string_value(json_object_get(ev, key));
    ck_assert_msg(s != NULL, "event has no string %s", key);
    return s;
}

START_TEST(test_peer_await_server_waits_for_a_matching_entry_then_goes_on)
{
    static char *eagain[] = {"EAGAIN"};
    struct eh_match m = {.call = "accept", .errnos = eagain, .n_errnos = 1};
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    json_t *evs = json_array();
    ck_assert_int_eq(run_await("{\"call\":\"accept\",\"fd\":3,\"ret\":-1,\"errno\":\"EAGAIN\"}\n",
                               &m, 2000, s.port, evs),
                     EH_OK);
    size_t at = 0;
    json_t *aw = find(evs, "await", &at);
    ck_assert_str_eq(str_field(aw, "who"), "server");
    ck_assert(json_is_true(json_object_get(aw, "matched")));
    ck_assert_int_lt(int_field(aw, "elapsed_us"), 1000000);
    ck_assert_int_eq(int_field(find(evs, "connect", &at), "ret"), 0);
    server_stop(&s, true);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_await_server_that_never_matches_gives_up_and_goes_on)
{
    struct eh_match m = {.call = "recv"};
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    json_t *evs = json_array();
    int64_t t0 = eh_now_us();
    ck_assert_int_eq(run_await("{\"call\":\"accept\",\"fd\":3,\"ret\":4}\n", &m, 100, s.port, evs),
                     EH_OK);
    ck_assert_int_ge(eh_now_us() - t0, 100000);
    size_t at = 0;
    json_t *aw = find(evs, "await", &at);
    ck_assert(json_is_false(json_object_get(aw, "matched")));
    ck_assert_int_ge(int_field(aw, "elapsed_us"), 100000);
    ck_assert_int_eq(int_field(find(evs, "connect", &at), "ret"), 0);
    server_stop(&s, true);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_await_without_a_server_log_is_skipped)
{
    struct eh_match m = {.call = "accept"};
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    json_t *evs = json_array();
    ck_assert_int_eq(run_await(NULL, &m, 2000, s.port, evs), EH_OK);
    size_t at = 0;
    json_t *aw = find(evs, "await", &at);
    ck_assert_str_eq(str_field(aw, "skipped"), "the server keeps no event log");
    ck_assert_int_eq(int_field(find(evs, "connect", &at), "ret"), 0);
    server_stop(&s, true);
    json_decref(evs);
}
END_TEST

/* The state letter of /proc/PID/stat ('S' sleeping, 'T' stopped, ...). */
static char proc_state(pid_t pid)
{
    char path[64], stat[256];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(stat, 1, sizeof(stat) - 1, f) : 0;
    if (f)
        fclose(f);
    stat[n] = '\0';
    const char *end = strrchr(stat, ')');
    return end != NULL && end[1] == ' ' ? end[2] : '?';
}

/* pause_server stops a child (as the leader of its process group), runs its
 * steps while the child is stopped, and lets it go on. */
START_TEST(test_peer_pause_server_stops_the_server_while_its_steps_run)
{
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        setpgid(0, 0);
        for (;;)
            pause();
    }
    setpgid(child, child);
    struct eh_step inner = step(EH_STEP_SLEEP), pause_step = step(EH_STEP_PAUSE_SERVER);
    inner.sleep_ms = 20;
    pause_step.steps = &inner;
    pause_step.n_steps = 1;
    struct eh_scenario sc = {.transport = EH_TCP, .family = EH_IPV4};
    sc.roles[EH_CLIENT] = (struct eh_role){.present = true, .steps = &pause_step, .n_steps = 1};
    char log_path[] = "/tmp/eh-test-peer.XXXXXX";
    int fd = mkstemp(log_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    struct eh_peer_server server = {.pid = child};
    struct eh_error err = {0};
    ck_assert_int_eq(
        eh_peer_run_with_server(&sc, "127.0.0.1", 9, in_ms(5000), log_path, &server, &err), EH_OK);
    json_t *evs = eh_evlog_read(log_path, 1u << 20);
    size_t at = 0;
    json_t *paused = find(evs, "pause", &at);
    ck_assert(json_is_true(json_object_get(paused, "stopped")));
    ck_assert_ptr_nonnull(find(evs, "resume", &at));
    for (int i = 0; i < 500 && proc_state(child) == 'T'; i++) /* SIGCONT takes a moment */
        usleep(1000);
    ck_assert_int_ne(proc_state(child), 'T');
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    json_decref(evs);
    unlink(log_path);
}
END_TEST

/* Without a server process the steps still run, and nothing is resumed. */
START_TEST(test_peer_pause_without_a_server_is_skipped)
{
    struct eh_step inner = step(EH_STEP_SLEEP), pause_step = step(EH_STEP_PAUSE_SERVER);
    inner.sleep_ms = 1;
    pause_step.steps = &inner;
    pause_step.n_steps = 1;
    json_t *evs = json_array();
    struct eh_error err = {0};
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, &pause_step, 1, 9, in_ms(5000), evs, &err), EH_OK);
    size_t at = 0;
    ck_assert_str_eq(str_field(find(evs, "pause", &at), "skipped"), "no server process");
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_echo_round_trip_logs_every_call)
{
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), send_text("Hello, world"),
                              recv_step(EH_RECV_EXACTLY, 12), step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    struct eh_error err = {0};
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 4, s.port, in_ms(5000), evs, &err), EH_OK);
    server_stop(&s, true);

    size_t at = 0;
    json_t *ev = find(evs, "socket", &at);
    ck_assert_str_eq(str_field(ev, "family"), "AF_INET");
    ck_assert_str_eq(str_field(ev, "type"), "SOCK_STREAM");
    json_int_t fd = int_field(ev, "ret");
    ck_assert_int_ge(fd, 0);
    ev = find(evs, "connect", &at);
    ck_assert_int_eq(int_field(ev, "ret"), 0);
    ck_assert_int_eq(int_field(ev, "fd"), fd);
    char raddr[32];
    snprintf(raddr, sizeof(raddr), "127.0.0.1:%d", s.port);
    ck_assert_str_eq(str_field(ev, "raddr"), raddr);
    ck_assert(strncmp(str_field(ev, "laddr"), "127.0.0.1:", 10) == 0);
    ck_assert_int_ge(int_field(ev, "elapsed_us"), 0);
    ev = find(evs, "send", &at);
    ck_assert_int_eq(int_field(ev, "size"), 12);
    ck_assert_int_eq(int_field(ev, "ret"), 12);
    ck_assert_str_eq(str_field(ev, "data"), "48656c6c6f2c20776f726c64");
    ev = find(evs, "recv", &at);
    ck_assert_int_eq(int_field(ev, "size"), 12);
    ck_assert_int_gt(int_field(ev, "ret"), 0);
    ck_assert_str_eq(str_field(find(evs, "conn_end", &at), "reason"), "done");
    ev = find(evs, "close", &at);
    ck_assert_int_eq(int_field(ev, "ret"), 0);
    ck_assert_uint_eq(at, json_array_size(evs));

    unsigned char *got;
    size_t len;
    ck_assert(eh_events_stream(evs, false, &got, &len));
    ck_assert_uint_eq(len, 12);
    ck_assert_mem_eq(got, "Hello, world", 12);
    free(got);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_timestamps_count_up_from_the_start)
{
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), send_text("x"), recv_step(EH_RECV_UP_TO, 1)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 3, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    json_int_t prev = 0;
    size_t i;
    json_t *ev;
    json_array_foreach(evs, i, ev)
    {
        json_int_t t = int_field(ev, "t_us");
        ck_assert_int_ge(t, prev);
        prev = t;
    }
    ck_assert_int_lt(prev, 5 * 1000000);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_log_judges_as_exact_echo)
{
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), send_text("abc"), send_text("\001\002"),
                              recv_step(EH_RECV_EXACTLY, 5), step(EH_STEP_CLOSE)};
    struct eh_observation obs = {.port_lo = 1, .port_hi = 65535};
    obs.roles[EH_CLIENT] = (struct eh_proc_obs){
        .present = true, .instrumented = true, .started = true, .exited = true};
    obs.roles[EH_CLIENT].events = json_array();
    ck_assert_int_eq(
        run(EH_TCP, EH_IPV4, steps, 5, s.port, in_ms(5000), obs.roles[EH_CLIENT].events, NULL),
        EH_OK);
    server_stop(&s, true);
    struct eh_expect e = {.kind = EH_EXPECT_ECHO, .relation = EH_ECHO_EXACT};
    struct eh_check c;
    eh_judge(&e, &obs, &c);
    ck_assert_msg(c.verdict == EH_PASS, "%s", c.reason);
    json_decref(c.evidence);
    eh_observation_clear(&obs);
}
END_TEST

START_TEST(test_peer_connection_refused_skips_later_steps)
{
    struct server s; /* bound, not listening: a SYN to it draws RST */
    server_start(&s, SERVE_SINK, AF_INET, false, false);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), send_text("x"), recv_step(EH_RECV_UP_TO, 1),
                              step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 4, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, false);
    size_t at = 0;
    json_t *ev = find(evs, "connect", &at);
    ck_assert_int_eq(int_field(ev, "ret"), -1);
    ck_assert_str_eq(str_field(ev, "errno"), "ECONNREFUSED");
    ck_assert_ptr_null(json_object_get(ev, "laddr"));
    ck_assert_int_eq(int_field(find(evs, "close", &at), "ret"), 0);
    ck_assert_str_eq(str_field(find(evs, "send", &at), "skipped"), "not connected");
    ck_assert_str_eq(str_field(find(evs, "recv", &at), "skipped"), "not connected");
    ck_assert_str_eq(str_field(find(evs, "close", &at), "skipped"), "not connected");
    ck_assert_uint_eq(at, json_array_size(evs));
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_recv_until_eof_ends_with_zero_after_server_close)
{
    struct server s;
    server_start(&s, SERVE_BYE, AF_INET, true, true);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), recv_step(EH_RECV_UNTIL_EOF, 0)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 2, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    size_t at = 0;
    json_t *ev = NULL;
    for (;;) {
        ev = find(evs, "recv", &at);
        if (int_field(ev, "ret") <= 0)
            break;
    }
    ck_assert_int_eq(int_field(ev, "ret"), 0);
    ck_assert_str_eq(str_field(find(evs, "conn_end", &at), "reason"), "eof");
    unsigned char *got;
    size_t len;
    ck_assert(eh_events_stream(evs, false, &got, &len));
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(got, "bye", 3);
    free(got);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_deadline_with_silent_server_times_out_promptly)
{
    struct server s; /* listens, never accepts: the handshake completes, nothing comes */
    server_start(&s, SERVE_SINK, AF_INET, true, false);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), recv_step(EH_RECV_UP_TO, 10),
                              send_text("never sent")};
    json_t *evs = json_array();
    struct eh_error err = {0};
    int64_t start = eh_now_us();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 3, s.port, in_ms(200), evs, &err), EH_TIMEOUT);
    int64_t took_us = eh_now_us() - start;
    server_stop(&s, false);
    ck_assert_int_ge(took_us, 190 * 1000);
    ck_assert_int_lt(took_us, eh_scaled_ms(200 + 500) * 1000);
    ck_assert_ptr_nonnull(strstr(err.msg, "$.client.steps[1]"));
    size_t at = 0;
    json_t *ev = find(evs, "recv", &at);
    ck_assert_int_eq(int_field(ev, "ret"), -1);
    ck_assert_str_eq(str_field(ev, "errno"), "ETIMEDOUT");
    ck_assert(json_is_true(json_object_get(ev, "timeout")));
    ck_assert_str_eq(str_field(find(evs, "conn_end", &at), "reason"), "timeout");
    find(evs, "close", &at);
    ck_assert_uint_eq(at, json_array_size(evs)); /* the send never ran */
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_sleep_past_deadline_times_out)
{
    struct eh_step steps[] = {step(EH_STEP_SLEEP)};
    steps[0].sleep_ms = 60000;
    json_t *evs = json_array();
    int64_t start = eh_now_us();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 1, 9, in_ms(100), evs, NULL), EH_TIMEOUT);
    ck_assert_int_lt(eh_now_us() - start, eh_scaled_ms(100 + 500) * 1000);
    ck_assert_uint_eq(json_array_size(evs), 0);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_abort_makes_server_see_econnreset)
{
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    /* The echo proves the server accepted and is reading before the RST. */
    struct eh_step steps[] = {step(EH_STEP_CONNECT), send_text("x"), recv_step(EH_RECV_EXACTLY, 1),
                              step(EH_STEP_ABORT)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 4, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    ck_assert_int_eq(s.end_errno, ECONNRESET);
    size_t at = 0;
    json_t *ev = find(evs, "setsockopt", &at);
    ck_assert_str_eq(str_field(ev, "option"), "SO_LINGER");
    ck_assert_int_eq(int_field(ev, "ret"), 0);
    ck_assert_int_eq(int_field(find(evs, "close", &at), "ret"), 0);
    ck_assert_uint_eq(at, json_array_size(evs));
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_shutdown_write_lets_server_see_eof_and_echo_back)
{
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), send_text("half"),
                              step(EH_STEP_SHUTDOWN_WRITE), recv_step(EH_RECV_UNTIL_EOF, 0)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 4, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    ck_assert_int_eq(s.end_errno, 0);
    size_t at = 0;
    json_t *ev = find(evs, "shutdown", &at);
    ck_assert_str_eq(str_field(ev, "how"), "SHUT_WR");
    ck_assert_int_eq(int_field(ev, "ret"), 0);
    unsigned char *got;
    size_t len;
    ck_assert(eh_events_stream(evs, false, &got, &len));
    ck_assert_uint_eq(len, 4);
    ck_assert_mem_eq(got, "half", 4);
    free(got);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_udp_round_trip)
{
    struct server s;
    server_start(&s, SERVE_UDP, AF_INET, false, true);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), send_text("ping"),
                              recv_step(EH_RECV_UP_TO, 100), step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_UDP, EH_IPV4, steps, 4, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    size_t at = 0;
    ck_assert_str_eq(str_field(find(evs, "socket", &at), "type"), "SOCK_DGRAM");
    ck_assert_int_eq(int_field(find(evs, "connect", &at), "ret"), 0);
    ck_assert_int_eq(int_field(find(evs, "send", &at), "ret"), 4);
    json_t *ev = find(evs, "recv", &at);
    ck_assert_int_eq(int_field(ev, "size"), 100);
    ck_assert_int_eq(int_field(ev, "ret"), 4);
    ck_assert_str_eq(str_field(ev, "data"), "70696e67");
    ck_assert_int_eq(int_field(find(evs, "close", &at), "ret"), 0);
    ck_assert_uint_eq(at, json_array_size(evs)); /* no conn_end for a datagram socket */
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_ipv6_addresses_are_bracketed)
{
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET6, true, true);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV6, steps, 2, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    size_t at = 0;
    ck_assert_str_eq(str_field(find(evs, "socket", &at), "family"), "AF_INET6");
    json_t *ev = find(evs, "connect", &at);
    char raddr[32];
    snprintf(raddr, sizeof(raddr), "[::1]:%d", s.port);
    ck_assert_str_eq(str_field(ev, "raddr"), raddr);
    ck_assert(strncmp(str_field(ev, "laddr"), "[::1]:", 6) == 0);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_large_send_loops_and_caps_logged_data)
{
    struct server s;
    server_start(&s, SERVE_SINK, AF_INET, true, true);
    size_t total = 3 * 1024 * 1024;
    char *big = malloc(total + 1);
    memset(big, 'z', total);
    big[total] = '\0';
    struct eh_step steps[] = {step(EH_STEP_CONNECT), send_text(big), step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 3, s.port, in_ms(10000), evs, NULL), EH_OK);
    server_stop(&s, true);
    ck_assert_uint_eq(s.bytes_read, total);
    size_t sent = 0, logged = 0, i;
    bool truncated = false;
    json_t *ev;
    json_array_foreach(evs, i, ev)
    {
        if (strcmp(call_of(ev), "send") != 0)
            continue;
        ck_assert_int_eq(int_field(ev, "size"), (json_int_t)(total - sent));
        sent += (size_t)int_field(ev, "ret");
        const char *data = json_string_value(json_object_get(ev, "data"));
        logged += data ? strlen(data) / 2 : 0;
        truncated |= json_is_true(json_object_get(ev, "data_truncated"));
    }
    ck_assert_uint_eq(sent, total);
    ck_assert_uint_le(logged, 1024 * 1024);
    ck_assert(truncated);
    free(big);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_closes_a_socket_left_open)
{
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    struct eh_step steps[] = {step(EH_STEP_CONNECT)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 1, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true); /* joins only if the server saw EOF */
    json_t *last = json_array_get(evs, json_array_size(evs) - 1);
    ck_assert_str_eq(call_of(last), "close");
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_rejects_a_host_of_the_wrong_family)
{
    struct eh_step steps[] = {step(EH_STEP_CONNECT)};
    struct eh_scenario sc = {.transport = EH_TCP, .family = EH_IPV4};
    sc.roles[EH_CLIENT] = (struct eh_role){.present = true, .steps = steps, .n_steps = 1};
    struct eh_error err = {0};
    const char *log_path = "/tmp/eh-test-peer-wrong-family.log";
    unlink(log_path);
    ck_assert_int_eq(eh_peer_run(&sc, "::1", 7, in_ms(1000), log_path, &err), EH_ERR);
    ck_assert_str_eq(err.msg, "scripted client: host ::1 is not an IPv4 address");
    ck_assert_int_eq(access(log_path, F_OK), -1); /* nothing was run, nothing logged */
}
END_TEST

/* ---- the steps for servers ---- */

static void server_start_many(struct server *s, int conns)
{
    server_start(s, SERVE_MANY, AF_INET, true, false);
    s->conns = conns;
    ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

static struct eh_step send_chunked(const char *text, const size_t *chunks, size_t n,
                                   int64_t pause_ms)
{
    struct eh_step st = send_text(text);
    memcpy(st.chunks, chunks, n * sizeof(*chunks));
    st.n_chunks = n;
    st.pause_ms = pause_ms;
    return st;
}

static struct eh_step stream_random(size_t len, uint64_t seed, bool shut)
{
    struct eh_step st = step(EH_STEP_STREAM);
    st.data = malloc(len);
    ck_assert_ptr_nonnull(st.data);
    eh_prng_fill(seed, st.data, len);
    st.data_len = len;
    st.read_size = 65536;
    st.shutdown = shut;
    return st;
}

/* The conn_end event of connection `conn`. */
static json_t *conn_end_of(json_t *events, int conn)
{
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        const json_t *c = json_object_get(ev, "conn");
        if (strcmp(call_of(ev), "conn_end") == 0 && json_integer_value(c) == conn)
            return ev;
    }
    ck_abort_msg("no conn_end for connection %d", conn);
    return NULL;
}

START_TEST(test_peer_events_carry_the_connection_and_conn_end_sums_up_the_echo)
{
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), send_text("Hello, world"),
                              recv_step(EH_RECV_EXACTLY, 12), step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 4, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    size_t i;
    json_t *ev;
    json_array_foreach(evs, i, ev) ck_assert_int_eq(int_field(ev, "conn"), 1);
    ev = conn_end_of(evs, 1);
    ck_assert_int_eq(int_field(ev, "sent"), 12);
    ck_assert_int_eq(int_field(ev, "received"), 12);
    ck_assert_int_eq(int_field(ev, "matched"), 12);
    ck_assert_ptr_null(json_object_get(ev, "got"));
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_nodelay_sets_tcp_nodelay_on_the_socket)
{
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    struct eh_step steps[] = {step(EH_STEP_CONNECT), step(EH_STEP_NODELAY), step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 3, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    size_t at = 0;
    json_t *ev = find(evs, "setsockopt", &at);
    ck_assert_str_eq(str_field(ev, "level"), "IPPROTO_TCP");
    ck_assert_str_eq(str_field(ev, "option"), "TCP_NODELAY");
    ck_assert_int_eq(int_field(ev, "value"), 1);
    ck_assert_int_eq(int_field(ev, "ret"), 0);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_send_cuts_pieces_of_the_chunk_sizes_and_pauses_between)
{
    struct server s;
    server_start(&s, SERVE_SINK, AF_INET, true, true);
    static const size_t chunks[] = {1, 2};
    struct eh_step steps[] = {step(EH_STEP_CONNECT), send_chunked("abcdefg", chunks, 2, 20),
                              step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 3, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    ck_assert_uint_eq(s.bytes_read, 7);
    static const char *const want[] = {"61", "6263", "64", "6566", "67"};
    size_t at = 0;
    json_int_t first = 0, last = 0;
    for (size_t k = 0; k < 5; k++) {
        json_t *ev = find(evs, "send", &at);
        ck_assert_str_eq(str_field(ev, "data"), want[k]);
        last = int_field(ev, "t_us");
        first = k == 0 ? last : first;
    }
    ck_assert_int_ge(last - first, 4 * 20 * 1000); /* four pauses of 20 ms */
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_recv_timeout_ends_the_step_and_the_run_goes_on)
{
    struct server s; /* listens, never accepts: nothing ever comes back */
    server_start(&s, SERVE_SINK, AF_INET, true, false);
    struct eh_step r = recv_step(EH_RECV_UP_TO, 10);
    r.timeout_ms = 100;
    struct eh_step steps[] = {step(EH_STEP_CONNECT), r, send_text("after")};
    json_t *evs = json_array();
    int64_t start = eh_now_us();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 3, s.port, in_ms(5000), evs, NULL), EH_OK);
    ck_assert_int_lt(eh_now_us() - start, eh_scaled_ms(100 + 1000) * 1000);
    server_stop(&s, false);
    size_t at = 0;
    json_t *ev = find(evs, "recv", &at);
    ck_assert_str_eq(str_field(ev, "errno"), "ETIMEDOUT");
    ck_assert(json_is_true(json_object_get(ev, "timeout")));
    ck_assert_int_ge(int_field(ev, "elapsed_us"), 90 * 1000);
    ck_assert_int_eq(int_field(find(evs, "send", &at), "ret"), 5);
    ck_assert_str_eq(str_field(find(evs, "conn_end", &at), "reason"), "timeout");
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_stream_sends_while_not_reading_then_reads_everything_back)
{
    struct server s;
    server_start(&s, SERVE_ECHO, AF_INET, true, true);
    size_t len = 4u << 20; /* more than the buffers of both sides hold */
    struct eh_step st = stream_random(len, 7, true);
    st.read_delay_ms = 300;
    st.timeout_ms = 10000;
    struct eh_step steps[] = {step(EH_STEP_CONNECT), st, step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 3, s.port, in_ms(20000), evs, NULL), EH_OK);
    server_stop(&s, true);
    json_t *end = conn_end_of(evs, 1);
    ck_assert_str_eq(str_field(end, "reason"), "eof");
    ck_assert_int_eq(int_field(end, "sent"), (json_int_t)len);
    ck_assert_int_eq(int_field(end, "received"), (json_int_t)len);
    ck_assert_int_eq(int_field(end, "matched"), (json_int_t)len);
    size_t at = 0;
    json_int_t t0 = int_field(find(evs, "send", &at), "t_us");
    at = 0;
    json_int_t first_recv = int_field(find(evs, "recv", &at), "t_us");
    ck_assert_int_ge(first_recv - t0, 280 * 1000); /* no recv during the delay */
    at = 0;
    find(evs, "shutdown", &at);
    free(st.data);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_stream_without_echo_times_out_and_records_what_came)
{
    struct server s;
    server_start(&s, SERVE_SINK, AF_INET, true, true);
    struct eh_step st = stream_random(1000, 8, false);
    st.timeout_ms = 150;
    struct eh_step steps[] = {step(EH_STEP_CONNECT), st, step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, steps, 3, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    size_t at = 0;
    ck_assert_int_eq(int_field(find(evs, "send", &at), "ret"), 1000);
    json_t *ev = find(evs, "recv", &at);
    ck_assert_str_eq(str_field(ev, "errno"), "ETIMEDOUT");
    json_t *end = conn_end_of(evs, 1);
    ck_assert_str_eq(str_field(end, "reason"), "timeout");
    ck_assert_int_eq(int_field(end, "sent"), 1000);
    ck_assert_int_eq(int_field(end, "received"), 0);
    free(st.data);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_clients_run_at_once_each_with_its_own_bytes)
{
    struct server s;
    server_start_many(&s, 3);
    struct eh_step st = step(EH_STEP_CLIENTS);
    st.count = 3;
    st.client_bytes = 5000;
    st.seed = 40;
    st.chunks[0] = 1000;
    st.n_chunks = 1;
    st.pause_ms = 10;
    st.timeout_ms = 5000;
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, &st, 1, s.port, in_ms(10000), evs, NULL), EH_OK);
    server_stop(&s, true);
    for (int k = 1; k <= 3; k++) {
        json_t *end = conn_end_of(evs, k);
        ck_assert_str_eq(str_field(end, "reason"), "eof");
        ck_assert_int_eq(int_field(end, "sent"), 5000);
        ck_assert_int_eq(int_field(end, "matched"), 5000);
        ck_assert_int_eq(int_field(end, "received"), 5000);
    }
    /* client k sends the bytes of seed 40 + k - 1, in pieces of 1000, interleaved */
    unsigned char first[3][4];
    for (int k = 0; k < 3; k++)
        eh_prng_fill(40 + (uint64_t)k, first[k], 4);
    size_t i, sends = 0;
    int order[6] = {0};
    json_t *ev;
    json_array_foreach(evs, i, ev)
    {
        if (strcmp(call_of(ev), "send") != 0)
            continue;
        int conn = (int)int_field(ev, "conn");
        ck_assert_int_eq(int_field(ev, "size") % 1000, 0);
        if (sends < 6)
            order[sends] = conn;
        if (int_field(ev, "size") == 1000 && sends < 3) {
            char hex[9];
            snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", first[conn - 1][0], first[conn - 1][1],
                     first[conn - 1][2], first[conn - 1][3]);
            ck_assert(strncmp(str_field(ev, "data"), hex, 8) == 0);
        }
        sends++;
    }
    ck_assert_uint_eq(sends, 15);
    /* every client sent its first piece before any sent its second */
    ck_assert(order[0] != order[1] && order[1] != order[2] && order[0] != order[2]);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_repeat_runs_its_steps_again_with_a_new_connection_each_time)
{
    struct server s;
    server_start_many(&s, 3);
    struct eh_step inner[] = {step(EH_STEP_CONNECT), send_text("again"),
                              recv_step(EH_RECV_EXACTLY, 5), step(EH_STEP_CLOSE)};
    for (size_t i = 0; i < 4; i++)
        snprintf(inner[i].path, sizeof(inner[i].path), "$.client.steps[0].repeat.steps[%zu]", i);
    struct eh_step st = step(EH_STEP_REPEAT);
    st.count = 3;
    st.steps = inner;
    st.n_steps = 4;
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_TCP, EH_IPV4, &st, 1, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    for (int k = 1; k <= 3; k++)
        ck_assert_int_eq(int_field(conn_end_of(evs, k), "matched"), 5);
    size_t at = 0, connects = 0;
    while (at < json_array_size(evs)) {
        if (strcmp(call_of(json_array_get(evs, at++)), "connect") == 0)
            connects++;
    }
    ck_assert_uint_eq(connects, 3);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_udp_stream_sends_one_datagram_per_piece_and_waits_for_each_reply)
{
    struct server s;
    server_start(&s, SERVE_UDP_MANY, AF_INET, false, true);
    struct eh_step st = stream_random(1101, 3, false);
    static const size_t sizes[] = {1, 100, 1000};
    memcpy(st.chunks, sizes, sizeof(sizes));
    st.n_chunks = 3;
    st.timeout_ms = 2000;
    struct eh_step steps[] = {step(EH_STEP_CONNECT), st, step(EH_STEP_CLOSE)};
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_UDP, EH_IPV4, steps, 3, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    size_t at = 0;
    for (size_t k = 0; k < 3; k++)
        ck_assert_int_eq(int_field(find(evs, "send", &at), "ret"), (json_int_t)sizes[k]);
    size_t i, replies = 0, total = 0;
    json_t *ev;
    json_array_foreach(evs, i, ev)
    {
        if (strcmp(call_of(ev), "recv") == 0) {
            replies++;
            total += (size_t)int_field(ev, "ret");
        }
    }
    ck_assert_uint_eq(replies, 3);
    ck_assert_uint_eq(total, 1101);
    free(st.data);
    json_decref(evs);
}
END_TEST

START_TEST(test_peer_udp_clients_use_a_source_port_each)
{
    struct server s;
    server_start(&s, SERVE_UDP_MANY, AF_INET, false, true);
    struct eh_step st = step(EH_STEP_CLIENTS);
    st.count = 2;
    st.client_bytes = 300;
    st.seed = 9;
    st.chunks[0] = 100;
    st.n_chunks = 1;
    st.timeout_ms = 2000;
    json_t *evs = json_array();
    ck_assert_int_eq(run(EH_UDP, EH_IPV4, &st, 1, s.port, in_ms(5000), evs, NULL), EH_OK);
    server_stop(&s, true);
    size_t at = 0;
    const char *one = str_field(find(evs, "connect", &at), "laddr");
    const char *two = str_field(find(evs, "connect", &at), "laddr");
    ck_assert_str_ne(one, two);
    size_t i, replies[3] = {0};
    json_t *ev;
    json_array_foreach(evs, i, ev)
    {
        if (strcmp(call_of(ev), "recv") == 0 && int_field(ev, "ret") == 100)
            replies[int_field(ev, "conn")]++;
    }
    ck_assert_uint_eq(replies[1], 3);
    ck_assert_uint_eq(replies[2], 3);
    json_decref(evs);
}
END_TEST

/* A record filled by hand: what the summary says of an echo that went wrong. */
static json_t *summary_of(const unsigned char *sent, size_t ns, const unsigned char *got, size_t ng,
                          const unsigned char *other, size_t no)
{
    char log_path[] = "/tmp/eh-test-peer-summary.XXXXXX";
    int fd = mkstemp(log_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    struct eh__peer p = {.type = SOCK_STREAM, .log = eh_evlog_new(log_path)};
    struct eh__conn *conns[2] = {calloc(1, sizeof(struct eh__conn)),
                                 calloc(1, sizeof(struct eh__conn))};
    p.conns = conns;
    p.n_conns = p.cap_conns = 2;
    for (int k = 0; k < 2; k++) {
        conns[k]->id = k + 1;
        conns[k]->fd = open("/dev/null", O_RDONLY);
        conns[k]->connected = true;
    }
    eh__conn_sent(&p, conns[1], other, no);
    eh__conn_sent(&p, conns[0], sent, ns);
    eh__conn_received(conns[0], got, ng / 2);
    eh__conn_received(conns[0], got + ng / 2, ng - ng / 2);
    eh__conn_close(&p, conns[0]);
    eh__conn_close(&p, conns[1]);
    eh_evlog_free(p.log);
    for (int k = 0; k < 2; k++) {
        free(conns[k]->sent);
        free(conns[k]);
    }
    json_t *evs = eh_evlog_read(log_path, 1u << 20);
    unlink(log_path);
    json_t *end = json_incref(conn_end_of(evs, 1));
    json_decref(evs);
    return end;
}

START_TEST(test_peer_summary_names_lost_bytes_and_another_connections_bytes)
{
    unsigned char a[4000], b[4000], got[4000];
    eh_prng_fill(1, a, sizeof(a));
    eh_prng_fill(2, b, sizeof(b));
    /* 1000 bytes echoed, 500 lost, then the rest */
    memcpy(got, a, 1000);
    memcpy(got + 1000, a + 1500, 2500);
    json_t *end = summary_of(a, 4000, got, 3500, b, 4000);
    ck_assert_int_eq(int_field(end, "sent"), 4000);
    ck_assert_int_eq(int_field(end, "received"), 3500);
    ck_assert_int_eq(int_field(end, "matched"), 1000);
    ck_assert_int_eq(int_field(end, "expected"), a[1000]);
    ck_assert_int_eq(int_field(end, "got"), a[1500]);
    ck_assert_int_eq(int_field(end, "resumes_at"), 1500);
    ck_assert_ptr_null(json_object_get(end, "from_conn"));
    json_decref(end);
    /* 10 bytes echoed, then connection 2's bytes from its offset 300 */
    memcpy(got, a, 10);
    memcpy(got + 10, b + 300, 100);
    end = summary_of(a, 4000, got, 110, b, 4000);
    ck_assert_int_eq(int_field(end, "matched"), 10);
    ck_assert_int_eq(int_field(end, "from_conn"), 2);
    ck_assert_int_eq(int_field(end, "from_offset"), 300);
    ck_assert_ptr_null(json_object_get(end, "resumes_at"));
    json_decref(end);
    /* more back than was sent: no expected byte */
    memcpy(got, a, 100);
    memcpy(got + 100, "xyz", 3);
    end = summary_of(a, 100, got, 103, b, 0);
    ck_assert_int_eq(int_field(end, "matched"), 100);
    ck_assert_ptr_null(json_object_get(end, "expected"));
    ck_assert_int_eq(int_field(end, "got"), 'x');
    json_decref(end);
}
END_TEST

static Suite *peer_suite(void)
{
    Suite *s = suite_create("peer");
    TCase *tc = tcase_create("peer");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_peer_echo_round_trip_logs_every_call);
    tcase_add_test(tc, test_peer_timestamps_count_up_from_the_start);
    tcase_add_test(tc, test_peer_log_judges_as_exact_echo);
    tcase_add_test(tc, test_peer_connection_refused_skips_later_steps);
    tcase_add_test(tc, test_peer_recv_until_eof_ends_with_zero_after_server_close);
    tcase_add_test(tc, test_peer_deadline_with_silent_server_times_out_promptly);
    tcase_add_test(tc, test_peer_sleep_past_deadline_times_out);
    tcase_add_test(tc, test_peer_abort_makes_server_see_econnreset);
    tcase_add_test(tc, test_peer_shutdown_write_lets_server_see_eof_and_echo_back);
    tcase_add_test(tc, test_peer_udp_round_trip);
    tcase_add_test(tc, test_peer_ipv6_addresses_are_bracketed);
    tcase_add_test(tc, test_peer_large_send_loops_and_caps_logged_data);
    tcase_add_test(tc, test_peer_closes_a_socket_left_open);
    tcase_add_test(tc, test_peer_rejects_a_host_of_the_wrong_family);
    tcase_add_test(tc, test_peer_await_server_waits_for_a_matching_entry_then_goes_on);
    tcase_add_test(tc, test_peer_await_server_that_never_matches_gives_up_and_goes_on);
    tcase_add_test(tc, test_peer_await_without_a_server_log_is_skipped);
    tcase_add_test(tc, test_peer_pause_server_stops_the_server_while_its_steps_run);
    tcase_add_test(tc, test_peer_pause_without_a_server_is_skipped);
    tcase_add_test(tc, test_peer_events_carry_the_connection_and_conn_end_sums_up_the_echo);
    tcase_add_test(tc, test_peer_nodelay_sets_tcp_nodelay_on_the_socket);
    tcase_add_test(tc, test_peer_send_cuts_pieces_of_the_chunk_sizes_and_pauses_between);
    tcase_add_test(tc, test_peer_recv_timeout_ends_the_step_and_the_run_goes_on);
    tcase_add_test(tc, test_peer_stream_sends_while_not_reading_then_reads_everything_back);
    tcase_add_test(tc, test_peer_stream_without_echo_times_out_and_records_what_came);
    tcase_add_test(tc, test_peer_clients_run_at_once_each_with_its_own_bytes);
    tcase_add_test(tc, test_peer_repeat_runs_its_steps_again_with_a_new_connection_each_time);
    tcase_add_test(tc, test_peer_udp_stream_sends_one_datagram_per_piece_and_waits_for_each_reply);
    tcase_add_test(tc, test_peer_udp_clients_use_a_source_port_each);
    tcase_add_test(tc, test_peer_summary_names_lost_bytes_and_another_connections_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    struct eh_error err = {0};
    if (eh_timeout_scale_from_env(&err) != EH_OK) { /* before the suite reads the scale */
        fprintf(stderr, "%s\n", err.msg);
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(peer_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
