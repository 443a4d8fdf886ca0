/* report_junit.c - junit.xml: the report as JUnit test suites for CI.
 *
 * One <testsuite> per implementation, named after it (eh__report_name():
 * --name, --impl NAME; "echoharness" for a report that names none), so that
 * the reports of several implementations merged by a CI do not collide: the
 * root of a single implementation's report, or inside a <testsuites> root in
 * the index of a run of several. One <testcase> per scenario
 * (classname "echoharness.<kind>"), in the dialect that
 * reports/schema/junit.xsd defines; its header says what each CI reader
 * takes from it, and a change here changes it in the same commit. FAIL
 * becomes <failure>, ERROR and TIMEOUT become <error>, SKIP becomes
 * <skipped>; the problem checks are the body, and the roles' captured
 * stdout and stderr go to <system-out> and <system-err>. Every attribute and
 * text is escaped by eh_escape(), which also replaces bytes that XML 1.0
 * does not allow.
 */
#include "report.h"

#include <inttypes.h>
#include <string.h>

static void attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    eh_escape_str(out, value, EH_ESC_ATTR);
    fputc('"', out);
}

static void property(FILE *out, const char *name, const char *value)
{
    if (value == NULL)
        return;
    fputs("    <property", out);
    attr(out, "name", name);
    attr(out, "value", value);
    fputs("/>\n", out);
}

/* "2/3", or "1,3/3" for a merge that holds shards 1 and 3; "" without one. */
static void shard_text(const json_t *report, char *buf, size_t len)
{
    const json_t *shard = json_object_get(report, "shard"), *k;
    size_t i, used = 0;
    buf[0] = '\0';
    if (shard == NULL)
        return;
    json_array_foreach(json_object_get(shard, "parts"), i, k) if (used < len) used +=
        (size_t)snprintf(buf + used, len - used, "%s%" JSON_INTEGER_FORMAT, i ? "," : "",
                         json_integer_value(k));
    if (used < len)
        snprintf(buf + used, len - used, "/%" JSON_INTEGER_FORMAT,
                 json_integer_value(json_object_get(shard, "of")));
}

static void properties(FILE *out, const json_t *report)
{
    static const char *const keys[] = {"version", "isolation", "isolation_note", "command"};
    static const char *const impl_keys[] = {"server_command", "client_command"};
    char scale[32], shard[256];
    snprintf(scale, sizeof(scale), "%g",
             json_number_value(json_object_get(report, "timeout_scale")));
    shard_text(report, shard, sizeof(shard));
    fputs("  <properties>\n", out);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        property(out, keys[i], eh__string(report, keys[i], NULL));
    property(out, "timeout_scale", scale);
    for (size_t i = 0; i < sizeof(impl_keys) / sizeof(impl_keys[0]); i++)
        property(out, impl_keys[i],
                 eh__string(eh__report_implementation(report), impl_keys[i], NULL));
    if (shard[0])
        property(out, "shard", shard);
    fputs("  </properties>\n", out);
}

/* The body of <failure> or <error>: one line per problem check, or the
 * scenario's reason when no check says more. */
static void problem_body(FILE *out, const struct eh__scenario_view *s)
{
    struct eh__check_view c;
    size_t listed = 0;
    for (size_t i = 0; eh__check_at(s, i, &c); i++) {
        if (!eh__verdict_is_problem(c.verdict))
            continue;
        fprintf(out, "%s ", eh_verdict_name(c.verdict));
        eh_escape_str(out, c.kind, EH_ESC_TEXT);
        if (c.who[0]) {
            fputs(" (", out);
            eh_escape_str(out, c.who, EH_ESC_TEXT);
            fputc(')', out);
        }
        fputs(" at ", out);
        eh_escape_str(out, c.expect, EH_ESC_TEXT);
        fputs(": ", out);
        eh_escape_str(out, c.reason, EH_ESC_TEXT);
        fputc('\n', out);
        listed++;
    }
    if (listed == 0) {
        eh_escape_str(out, s->reason, EH_ESC_TEXT);
        fputc('\n', out);
    }
}

/* One role's stream: a header line naming the role, its command line and
 * how it ended, then the kept bytes. Writes nothing for an empty stream. */
static void role_stream(FILE *out, const struct eh__role_view *r, const char *stream,
                        const char *text, size_t len, int64_t total)
{
    if (len == 0 && total <= 0)
        return;
    char exit_text[256];
    eh__exit_text(json_object_get(r->json, "exit"), exit_text, sizeof(exit_text));
    fprintf(out, "--- %s %s (", r->name, stream);
    eh__escape_argv(out, r->argv, EH_ESC_TEXT);
    fputs("; ", out);
    eh_escape_str(out, exit_text, EH_ESC_TEXT);
    fprintf(out, "), %zu bytes ---\n", len);
    eh_escape(out, text, len, EH_ESC_TEXT);
    if (len > 0 && text[len - 1] != '\n')
        fputc('\n', out);
    if (total > (int64_t)len)
        fprintf(out, "--- %" PRId64 " more bytes not kept ---\n", total - (int64_t)len);
}

/* <system-out> (stdout of every role) or <system-err> (stderr). */
static void system_stream(FILE *out, const struct eh__scenario_view *s, bool err_stream)
{
    const char *element = err_stream ? "system-err" : "system-out";
    struct eh__role_view r;
    bool any = false;
    for (size_t i = 0; eh__role_at(s, i, &r); i++)
        any |= (err_stream ? r.err_len : r.out_len) > 0 ||
               (err_stream ? r.err_total : r.out_total) > 0;
    if (!any)
        return;
    fprintf(out, "    <%s>", element);
    for (size_t i = 0; eh__role_at(s, i, &r); i++) {
        if (err_stream)
            role_stream(out, &r, "stderr", r.err, r.err_len, r.err_total);
        else
            role_stream(out, &r, "stdout", r.out, r.out_len, r.out_total);
    }
    fprintf(out, "</%s>\n", element);
}

static void testcase(FILE *out, const struct eh__scenario_view *s)
{
    fputs("  <testcase", out);
    fputs(" classname=\"echoharness", out);
    if (s->kind[0]) {
        fputc('.', out);
        eh_escape_str(out, s->kind, EH_ESC_ATTR);
    }
    fputc('"', out);
    attr(out, "name", s->name);
    fprintf(out, " time=\"%.3f\">\n", s->duration_s);
    const char *element = NULL;
    switch (s->verdict) {
    case EH_PASS:
        break;
    case EH_FAIL:
        element = "failure";
        break;
    case EH_ERROR:
    case EH_TIMED_OUT:
        element = "error";
        break;
    case EH_SKIP:
        fputs("    <skipped", out);
        attr(out, "message", s->reason);
        fputs("/>\n", out);
        break;
    }
    if (element) {
        fprintf(out, "    <%s type=\"%s\"", element, eh_verdict_name(s->verdict));
        attr(out, "message", s->reason);
        fputc('>', out);
        problem_body(out, s);
        fprintf(out, "</%s>\n", element);
    }
    system_stream(out, s, false);
    system_stream(out, s, true);
    fputs("  </testcase>\n", out);
}

/* The counts and time attributes of <testsuite> and <testsuites>. */
static void count_attrs(FILE *out, const json_t *report)
{
    struct eh__counts n;
    eh__report_counts(report, &n);
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
            n.total, n.n[EH_FAIL], n.n[EH_ERROR] + n.n[EH_TIMED_OUT], n.n[EH_SKIP],
            json_number_value(json_object_get(report, "duration_ms")) / 1000.0);
}

/* One <testsuite>: the report of one implementation. */
static void suite(FILE *out, const json_t *report)
{
    const char *started = eh__string(report, "started", NULL);
    fputs("<testsuite", out);
    attr(out, "name", eh__report_name(report));
    count_attrs(out, report);
    if (started)
        attr(out, "timestamp", started);
    fputs(">\n", out);
    properties(out, report);
    struct eh__scenario_view s;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++)
        testcase(out, &s);
    fputs("</testsuite>\n", out);
}

eh_status eh__write_junit(const json_t *report, FILE *out, struct eh_error *err)
{
    (void)err;
    const json_t *impls = json_object_get(report, "implementations"), *impl;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    if (json_array_size(impls) <= 1) {
        suite(out, report);
        return EH_OK;
    }
    fputs("<testsuites name=\"echoharness\"", out);
    count_attrs(out, report);
    fputs(">\n", out);
    size_t i;
    json_array_foreach(impls, i, impl)
    {
        const char *name = eh__string(impl, "name", NULL);
        json_t *sub = name ? eh_report_for_implementation(report, name) : NULL;
        if (sub != NULL)
            suite(out, sub);
        json_decref(sub);
    }
    fputs("</testsuites>\n", out);
    return EH_OK;
}
