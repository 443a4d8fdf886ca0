/* repeat.c - one scenario run N times, merged into a measured distribution.
 *
 * See repeat.h. The facts counted are the ones docs/linux-behaviour.md
 * lists as timing-dependent (its allowed sets, §4 and §16), read from each
 * run's result object (report.h): the client's event log, the server's
 * event log and the wire analysis.
 */
#include "repeat.h"

#include <stdio.h>
#include <string.h>

/* The order in which a verdict is worse than another for the merged result. */
static int severity(enum eh_verdict v)
{
    switch (v) {
    case EH_FAIL:
        return 4;
    case EH_ERROR:
        return 3;
    case EH_TIMED_OUT:
        return 2;
    case EH_PASS:
        return 1;
    case EH_SKIP:
        return 0;
    }
    return 0;
}

static enum eh_verdict verdict_of(const json_t *r)
{
    enum eh_verdict v = EH_ERROR;
    const char *s = json_string_value(json_object_get(r, "verdict"));
    if (s == NULL || !eh_verdict_parse(s, &v))
        v = EH_ERROR;
    return v;
}

static void count(json_t *dist, const char *fact, const char *value)
{
    json_t *d = json_object_get(dist, fact);
    if (d == NULL) {
        d = json_object();
        json_object_set_new(dist, fact, d);
    }
    json_int_t n = json_integer_value(json_object_get(d, value));
    json_object_set_new(d, value, json_integer(n + 1));
}

static const json_t *role_events(const json_t *r, const char *role)
{
    return json_object_get(json_object_get(json_object_get(r, "roles"), role), "events");
}

/* The facts, in the order they are described: key in "distribution", the
 * label eh_repeat_describe() gives it, and the unit after each value. */
static const struct fact {
    const char *key, *label, *unit;
} facts[] = {
    {"client_received_bytes", "client received", " B"},
    {"client_exit", "client", ""},
    {"client_conn_end", "client conn_end", ""},
    {"server_exit", "server", ""},
    {"server_conn_end", "server conn_end", ""},
    {"wire_connections", "connections", ""},
    {"wire_close", "close", ""},
    {"wire_first_close_by", "first FIN/RST from", ""},
    {"wire_data_after_close", "data after close", ""},
    {"wire_echo", "wire echo", ""},
};

/* client_received_bytes: the client's successful recv/recvfrom results, summed. */
static void add_received(json_t *dist, const json_t *r)
{
    const json_t *client = role_events(r, "client"), *ev;
    size_t i;
    if (!json_is_array(client))
        return;
    json_int_t received = 0;
    json_array_foreach(client, i, ev)
    {
        const char *call = json_string_value(json_object_get(ev, "call"));
        json_int_t ret = json_integer_value(json_object_get(ev, "ret"));
        if (call && (strcmp(call, "recv") == 0 || strcmp(call, "recvfrom") == 0) && ret > 0)
            received += ret;
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long)received);
    count(dist, "client_received_bytes", buf);
}

/* <role>_exit: "exit 0", "killed by SIGPIPE", "stopped by the harness". */
static void add_exit(json_t *dist, const json_t *r, const char *role, const char *fact)
{
    const json_t *x = json_object_get(json_object_get(json_object_get(r, "roles"), role), "exit");
    if (!json_is_object(x))
        return;
    char buf[48];
    const char *sig = json_string_value(json_object_get(x, "signal"));
    if (sig)
        snprintf(buf, sizeof(buf), "killed by %s", sig);
    else if (json_object_get(x, "code"))
        snprintf(buf, sizeof(buf), "exit %lld",
                 (long long)json_integer_value(json_object_get(x, "code")));
    else if (json_object_get(x, "stopped_by_harness"))
        snprintf(buf, sizeof(buf), "stopped by the harness");
    else
        snprintf(buf, sizeof(buf), "not started");
    count(dist, fact, buf);
}

/* <role>_conn_end: the reasons of the role's conn_end events. */
static void add_conn_ends(json_t *dist, const json_t *r, const char *role, const char *fact)
{
    const json_t *events = role_events(r, role), *ev;
    size_t i;
    json_array_foreach(events, i, ev)
    {
        const char *call = json_string_value(json_object_get(ev, "call"));
        const char *reason = json_string_value(json_object_get(ev, "reason"));
        if (call && reason && strcmp(call, "conn_end") == 0)
            count(dist, fact, reason);
    }
}

/* The wire facts: connections per run; per TCP connection its close class,
 * who sent the first FIN or RST, data after close; per connection or UDP
 * exchange the echo verdict. */
static void add_wire(json_t *dist, const json_t *r)
{
    const json_t *wire = json_object_get(r, "wire"), *c;
    const json_t *tcp = json_object_get(wire, "tcp"), *udp = json_object_get(wire, "udp");
    size_t i;
    if (!json_is_object(wire))
        return;
    char buf[32];
    snprintf(buf, sizeof(buf), "%zu", json_array_size(tcp) + json_array_size(udp));
    count(dist, "wire_connections", buf);
    json_array_foreach(tcp, i, c)
    {
        const char *close = json_string_value(json_object_get(c, "close"));
        const char *first = json_string_value(json_object_get(c, "first_close_by"));
        if (close)
            count(dist, "wire_close", close);
        count(dist, "wire_first_close_by", first ? first : "nobody");
        count(dist, "wire_data_after_close",
              json_is_true(json_object_get(c, "data_after_close")) ? "yes" : "no");
    }
    for (int k = 0; k < 2; k++) {
        json_array_foreach(k ? udp : tcp, i, c)
        {
            const char *v =
                json_string_value(json_object_get(json_object_get(c, "echo"), "verdict"));
            if (v)
                count(dist, "wire_echo", v);
        }
    }
}

/* Adds one run's timing-dependent facts to dist. */
static void add_facts(json_t *dist, const json_t *r)
{
    add_received(dist, r);
    add_exit(dist, r, "client", "client_exit");
    add_conn_ends(dist, r, "client", "client_conn_end");
    add_exit(dist, r, "server", "server_exit");
    add_conn_ends(dist, r, "server", "server_conn_end");
    add_wire(dist, r);
}

/* The facts that took more than one value, in the order of facts[]. */
static json_t *varied(const json_t *dist)
{
    json_t *v = json_array();
    for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
        if (json_object_size(json_object_get(dist, facts[i].key)) > 1)
            json_array_append_new(v, json_string(facts[i].key));
    return v;
}

json_t *eh_repeat_merge(json_t **runs, size_t n)
{
    size_t counts[EH_VERDICT_COUNT] = {0};
    size_t worst = 0;
    json_t *dist = json_object(), *detail = json_array(), *verdicts = json_object();

    for (size_t i = 0; i < n; i++) {
        enum eh_verdict v = verdict_of(runs[i]);
        counts[v]++;
        if (severity(v) > severity(verdict_of(runs[worst])))
            worst = i;
        add_facts(dist, runs[i]);
        json_t *d = json_object();
        json_object_set(d, "verdict", json_object_get(runs[i], "verdict"));
        json_object_set(d, "reason", json_object_get(runs[i], "reason"));
        json_object_set(d, "duration_ms", json_object_get(runs[i], "duration_ms"));
        if (json_object_get(runs[i], "pcap"))
            json_object_set(d, "pcap", json_object_get(runs[i], "pcap"));
        json_array_append_new(detail, d);
    }
    for (int v = 0; v < EH_VERDICT_COUNT; v++)
        if (counts[v])
            json_object_set_new(verdicts, eh_verdict_name((enum eh_verdict)v),
                                json_integer((json_int_t)counts[v]));

    /* The representative run: the worst one (the first of its kind), so its
     * checks, output and capture explain the merged verdict. */
    enum eh_verdict v = verdict_of(runs[worst]);
    json_t *merged = json_deep_copy(runs[worst]);
    char reason[1024];
    if (v == EH_PASS)
        snprintf(reason, sizeof(reason), "all %zu runs passed", n);
    else
        snprintf(reason, sizeof(reason), "%zu of %zu runs %s; run %zu: %s", counts[v], n,
                 eh_verdict_name(v), worst + 1,
                 json_string_value(json_object_get(runs[worst], "reason")));
    json_object_set_new(merged, "verdict", json_string(eh_verdict_name(v)));
    json_object_set_new(merged, "reason", json_string(reason));
    json_t *rep = json_object();
    json_object_set_new(rep, "runs", json_integer((json_int_t)n));
    json_object_set_new(rep, "verdicts", verdicts);
    json_object_set_new(rep, "varied", varied(dist));
    json_object_set_new(rep, "distribution", dist);
    json_object_set_new(rep, "runs_detail", detail);
    json_object_set_new(merged, "repeat", rep);
    for (size_t i = 0; i < n; i++)
        json_decref(runs[i]);
    return merged;
}

/* "; label v1 unit xN, v2 unit xM" for a fact that varied, or ", label v"
 * for one that did not (after "same in every run:"). A fact counted per
 * connection, whose counts add up to other than the runs, says how many
 * it counted: "close (of 9 connections) graceful x3, client-abort x6". */
static void put_fact(char *buf, size_t len, size_t *off, const json_t *d, const struct fact *f,
                     json_int_t runs, bool counts, bool first_of_group)
{
    const char *key;
    const json_t *val;
    bool first = true;
    if (*off >= len)
        return;
    json_int_t total = 0;
    json_object_foreach((json_t *)d, key, val)
    {
        total += json_integer_value(val);
    }
    *off += (size_t)snprintf(buf + *off, len - *off, "%s%s",
                             first_of_group ? " "
                             : counts       ? "; "
                                            : ", ",
                             f->label);
    if (counts && total != runs && *off < len) /* counted per connection, not per run */
        *off +=
            (size_t)snprintf(buf + *off, len - *off, " (of %lld connections)", (long long)total);
    json_object_foreach((json_t *)d, key, val)
    {
        if (*off >= len)
            return;
        if (counts)
            *off += (size_t)snprintf(buf + *off, len - *off, "%s %s%s x%lld", first ? "" : ",", key,
                                     f->unit, (long long)json_integer_value(val));
        else
            *off += (size_t)snprintf(buf + *off, len - *off, " %s%s", key, f->unit);
        first = false;
    }
}

void eh_repeat_describe(const json_t *merged, char *buf, size_t len)
{
    const json_t *rep = json_object_get(merged, "repeat");
    const json_t *dist = json_object_get(rep, "distribution");
    const char *key;
    const json_t *val;
    json_int_t runs = json_integer_value(json_object_get(rep, "runs"));
    size_t off = (size_t)snprintf(buf, len, "%lld runs:", (long long)runs);
    json_object_foreach((json_t *)json_object_get(rep, "verdicts"), key, val)
    {
        if (off < len)
            off += (size_t)snprintf(buf + off, len - off, " %s %lld", key,
                                    (long long)json_integer_value(val));
    }
    for (int pass = 0; pass < 2; pass++) { /* what varied, then what did not */
        bool first = true;
        for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
            const json_t *d = json_object_get(dist, facts[i].key);
            if (d == NULL || (json_object_size(d) > 1) != (pass == 0))
                continue;
            if (first && off < len)
                off += (size_t)snprintf(buf + off, len - off,
                                        "; %s:", pass == 0 ? "varied" : "same in every run");
            put_fact(buf, len, &off, d, &facts[i], runs, pass == 0, first);
            first = false;
        }
    }
}
