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

/* Adds one run's timing-dependent facts to dist. */
static void add_facts(json_t *dist, const json_t *r)
{
    size_t i;
    const json_t *ev;

    const json_t *client = role_events(r, "client");
    if (json_is_array(client)) {
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
    const json_t *sexit =
        json_object_get(json_object_get(json_object_get(r, "roles"), "server"), "exit");
    if (json_is_object(sexit)) {
        char buf[48];
        const char *sig = json_string_value(json_object_get(sexit, "signal"));
        if (sig)
            snprintf(buf, sizeof(buf), "killed by %s", sig);
        else if (json_object_get(sexit, "code"))
            snprintf(buf, sizeof(buf), "exit %lld",
                     (long long)json_integer_value(json_object_get(sexit, "code")));
        else if (json_object_get(sexit, "stopped_by_harness"))
            snprintf(buf, sizeof(buf), "stopped by the harness");
        else
            snprintf(buf, sizeof(buf), "not started");
        count(dist, "server_exit", buf);
    }
    const json_t *server = role_events(r, "server");
    json_array_foreach(server, i, ev)
    {
        const char *call = json_string_value(json_object_get(ev, "call"));
        const char *reason = json_string_value(json_object_get(ev, "reason"));
        if (call && reason && strcmp(call, "conn_end") == 0)
            count(dist, "server_conn_end", reason);
    }
    const json_t *conns = json_object_get(json_object_get(r, "wire"), "tcp");
    json_array_foreach(conns, i, ev)
    {
        const char *close = json_string_value(json_object_get(ev, "close"));
        if (close)
            count(dist, "wire_close", close);
    }
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
    json_object_set_new(rep, "distribution", dist);
    json_object_set_new(rep, "runs_detail", detail);
    json_object_set_new(merged, "repeat", rep);
    for (size_t i = 0; i < n; i++)
        json_decref(runs[i]);
    return merged;
}

static void put_dist(char *buf, size_t len, size_t *off, const json_t *dist, const char *fact,
                     const char *label, const char *unit)
{
    const json_t *d = json_object_get(dist, fact);
    const char *key;
    const json_t *val;
    bool first = true;
    if (d == NULL || *off >= len)
        return;
    *off += (size_t)snprintf(buf + *off, len - *off, "; %s", label);
    json_object_foreach((json_t *)d, key, val)
    {
        if (*off >= len)
            return;
        *off += (size_t)snprintf(buf + *off, len - *off, "%s %s%s x%lld", first ? "" : ",", key,
                                 unit, (long long)json_integer_value(val));
        first = false;
    }
}

void eh_repeat_describe(const json_t *merged, char *buf, size_t len)
{
    const json_t *rep = json_object_get(merged, "repeat");
    const json_t *dist = json_object_get(rep, "distribution");
    const char *key;
    const json_t *val;
    size_t off = (size_t)snprintf(
        buf, len, "%lld runs:", (long long)json_integer_value(json_object_get(rep, "runs")));
    json_object_foreach((json_t *)json_object_get(rep, "verdicts"), key, val)
    {
        if (off < len)
            off += (size_t)snprintf(buf + off, len - off, " %s %lld", key,
                                    (long long)json_integer_value(val));
    }
    put_dist(buf, len, &off, dist, "client_received_bytes", "client received", " B");
    put_dist(buf, len, &off, dist, "wire_close", "close", "");
    put_dist(buf, len, &off, dist, "server_conn_end", "server conn_end", "");
    put_dist(buf, len, &off, dist, "server_exit", "server", "");
}
