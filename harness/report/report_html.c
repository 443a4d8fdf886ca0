/* report_html.c - report.html: one self-contained page for people.
 *
 * No external assets: the CSS is inline and nothing is fetched. The page
 * opens with a headline that says what `run`'s exit status says and the
 * counts, then a table of scenarios with coloured verdicts, then one <details>
 * per scenario (open when it did not pass) with its description (`code`
 * spans as <code>), reason, checks, each role's command line, exit and
 * output, the event log as a compact table, a link to its capture and the
 * wire analysis (the readable "wire_text" when present, the "wire" JSON
 * behind a closed <details>). Wide tables scroll inside their own box. It is
 * meant to be read by someone learning what the socket calls did. Every byte
 * from the document goes through eh_escape().
 */
#include "repeat.h"
#include "hex.h"
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENTS 500     /* event rows per role; the rest is in report.json */
#define MAX_DATA_BYTES 256 /* bytes of an event's data shown */

static const char style[] =
    "body{font:15px/1.45 system-ui,sans-serif;color:#222;max-width:72em;margin:1.5em auto;"
    "padding:0 1em}\n"
    "h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.2em;margin-top:1.5em}"
    "h3{font-size:1em;margin:1em 0 .3em}h4{font-size:.95em;margin:.8em 0 .2em}\n"
    ".meta,.dim{color:#666}.legend{font-size:.9em;color:#555}\n"
    ".scroll{overflow-x:auto;max-width:100%;margin:.4em 0}\n"
    "table{border-collapse:collapse;width:100%;margin:0}\n"
    "th,td{border:1px solid #ddd;padding:.2em .45em;text-align:left;vertical-align:top}\n"
    "th{background:#f3f3f3}td.nowrap,th.nowrap{white-space:nowrap}\n"
    ".v{display:inline-block;min-width:4.5em;text-align:center;font-weight:700;color:#fff;"
    "border-radius:3px;padding:0 .4em;white-space:nowrap}\n"
    ".PASS{background:#2e7d32}.FAIL{background:#c62828}.ERROR{background:#6a1b9a}"
    ".TIMEOUT{background:#e65100}.SKIP{background:#757575}\n"
    ".counts .v{min-width:0;padding:.2em .7em;margin-right:.4em}\n"
    "details{border:1px solid #ddd;border-radius:4px;margin:.6em 0;padding:.3em .8em}\n"
    "summary{cursor:pointer;font-weight:600}\n"
    "pre{background:#f6f6f6;padding:.5em;max-height:24em;overflow:auto;white-space:pre-wrap;"
    "word-break:break-all;margin:.2em 0}\n"
    "pre.wire{white-space:pre;word-break:normal;max-height:none}\n"
    "code,table.events{font-family:ui-monospace,Menlo,Consolas,monospace}\n"
    "p code,td code{background:#f3f3f3;border-radius:3px;padding:0 .2em}\n"
    "table.events{font-size:12px}table.events td{white-space:nowrap}"
    "table.events td.data{white-space:pre-wrap;word-break:normal;overflow-wrap:normal;"
    "min-width:16em}\n"
    "table.events td.other{white-space:normal;min-width:14em}\n";

static void text(FILE *out, const char *s)
{
    eh_escape_str(out, s, EH_ESC_TEXT);
}

/* A string member of obj as escaped text; "?" when missing. */
static void field(FILE *out, const json_t *obj, const char *key)
{
    const char *s = eh__string(obj, key, NULL);
    text(out, s ? s : "?");
}

static void badge(FILE *out, enum eh_verdict v)
{
    fprintf(out, "<span class=\"v %s\">%s</span>", eh_verdict_name(v), eh_verdict_name(v));
}

/* Any JSON value in a table cell, on one line. */
static void value(FILE *out, const json_t *v)
{
    if (json_is_string(v)) {
        eh_escape(out, json_string_value(v), json_string_length(v), EH_ESC_INLINE);
    } else if (json_is_integer(v)) {
        fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (v != NULL) {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        eh_escape_str(out, s ? s : "", EH_ESC_INLINE);
        free(s);
    }
}

/* An event's "data" (hex of the bytes transferred) as escaped text: the
 * first MAX_DATA_BYTES bytes, then how many more there were. */
static void event_data(FILE *out, const json_t *event)
{
    size_t hex_len;
    const char *hex = eh__string(event, "data", &hex_len);
    if (hex == NULL) {
        if (json_is_true(json_object_get(event, "data_truncated")))
            fputs("<span class=\"dim\">(not logged: log data limit reached)</span>", out);
        return;
    }
    unsigned char bytes[MAX_DATA_BYTES];
    size_t n = hex_len / 2 < sizeof(bytes) ? hex_len / 2 : sizeof(bytes);
    if (!eh_hex_decode(hex, n, bytes, NULL)) { /* not hex: show what the log said, as much */
        size_t shown = hex_len < 2 * MAX_DATA_BYTES ? hex_len : 2 * MAX_DATA_BYTES;
        eh_escape(out, hex, shown, EH_ESC_INLINE);
        if (hex_len > shown)
            fprintf(out, " <span class=\"dim\">&hellip; +%zu characters</span>", hex_len - shown);
        return;
    }
    eh_escape(out, (const char *)bytes, n, EH_ESC_INLINE);
    if (hex_len / 2 > n)
        fprintf(out, " <span class=\"dim\">&hellip; +%zu bytes</span>", hex_len / 2 - n);
}

/* The event log: the common fields in columns, any other field as name=value. */
static void events_table(FILE *out, const json_t *events)
{
    static const char *const columns[] = {"t_us", "call", "fd", "ret", "errno", "size"};
    static const char *const shown[] = {"t_us", "call",  "fd",    "ret",  "errno",
                                        "size", "laddr", "raddr", "data", "data_truncated"};
    size_t n_events = json_array_size(events);
    fprintf(out, "<h4>Event log (%zu socket calls)</h4>\n", n_events);
    fputs("<p class=\"legend\">One row per socket call, in order. t_us: microseconds since the "
          "program started; ret -1: the call failed with errno; data: the bytes transferred, "
          "those that are not printable as \\xNN, \\n, \\r, \\t.</p>\n",
          out);
    fputs("<div class=\"scroll\"><table "
          "class=\"events\"><tr><th>t_us</th><th>call</th><th>fd</th><th>ret</th>"
          "<th>errno</th><th>size</th><th>local &rarr; remote</th><th>data</th><th>other</th>"
          "</tr>\n",
          out);
    size_t i;
    const json_t *ev;
    json_array_foreach(events, i, ev)
    {
        if (i == MAX_EVENTS)
            break;
        fputs("<tr>", out);
        for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++) {
            fputs("<td>", out);
            value(out, json_object_get(ev, columns[c]));
            fputs("</td>", out);
        }
        fputs("<td>", out);
        value(out, json_object_get(ev, "laddr"));
        if (json_object_get(ev, "raddr")) {
            fputs(" &rarr; ", out);
            value(out, json_object_get(ev, "raddr"));
        }
        fputs("</td><td class=\"data\">", out);
        event_data(out, ev);
        fputs("</td><td class=\"other\">", out);
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)ev, key, v)
        {
            bool known = false;
            for (size_t k = 0; k < sizeof(shown) / sizeof(shown[0]); k++)
                known |= strcmp(key, shown[k]) == 0;
            if (known)
                continue;
            eh_escape_str(out, key, EH_ESC_INLINE);
            fputc('=', out);
            value(out, v);
            fputc(' ', out);
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</table></div>\n", out);
    if (n_events > MAX_EVENTS)
        fprintf(out, "<p class=\"dim\">%zu more events are in report.json.</p>\n",
                n_events - MAX_EVENTS);
}

static void output_block(FILE *out, const char *stream, const char *s, size_t len, int64_t total)
{
    if (len == 0 && total <= 0) {
        fprintf(out, "<h4>%s</h4><p class=\"dim\">(empty)</p>\n", stream);
        return;
    }
    if (total > (int64_t)len)
        fprintf(out, "<h4>%s (first %zu of %" PRId64 " bytes)</h4><pre>", stream, len, total);
    else
        fprintf(out, "<h4>%s (%zu bytes)</h4><pre>", stream, len);
    eh_escape(out, s, len, EH_ESC_TEXT);
    fputs("</pre>\n", out);
}

static void role_section(FILE *out, const struct eh__role_view *r)
{
    char exit_text[256];
    eh__exit_text(json_object_get(r->json, "exit"), exit_text, sizeof(exit_text));
    fprintf(out, "<h3>%s", r->name);
    if (r->kind[0]) {
        fputs(" <span class=\"dim\">(", out);
        text(out, r->kind);
        fputs(")</span>", out);
    }
    fputs("</h3>\n<p>", out);
    if (json_array_size(r->argv) > 0) {
        fputs("<code>", out);
        eh__escape_argv(out, r->argv, EH_ESC_TEXT);
        fputs("</code> &middot; ", out);
    }
    text(out, exit_text);
    const json_t *runtime = json_object_get(r->json, "runtime_ms");
    if (json_is_number(runtime))
        fprintf(out, " &middot; ran %.0f ms", json_number_value(runtime));
    fputs("</p>\n", out);
    output_block(out, "stdout", r->out, r->out_len, r->out_total);
    output_block(out, "stderr", r->err, r->err_len, r->err_total);
    if (r->events)
        events_table(out, r->events);
    else
        fputs("<p class=\"dim\">No event log: only reference builds and the scripted peer "
              "write one.</p>\n",
              out);
}

static void checks_table(FILE *out, const struct eh__scenario_view *s)
{
    struct eh__check_view c;
    if (!eh__check_at(s, 0, &c))
        return;
    fputs("<h3>Checks</h3>\n<div "
          "class=\"scroll\"><table><tr><th>verdict</th><th>check</th><th>who</th>"
          "<th>expectation</th><th>reason</th></tr>\n",
          out);
    for (size_t i = 0; eh__check_at(s, i, &c); i++) {
        fputs("<tr><td>", out);
        badge(out, c.verdict);
        fputs("</td><td>", out);
        text(out, c.kind);
        fputs("</td><td>", out);
        text(out, c.who);
        fputs("</td><td><code>", out);
        text(out, c.expect);
        fputs("</code></td><td>", out);
        text(out, c.reason);
        fputs("</td></tr>\n", out);
    }
    fputs("</table></div>\n", out);
}

/* A relative path inside the report directory, safe to use as a link. */
static bool local_link(const char *path)
{
    return path[0] != '\0' && path[0] != '/' && strchr(path, ':') == NULL;
}

/* The wire analysis: the readable table (`echoharness analyze`) when the
 * result has "wire_text", with the JSON behind a closed <details>; the JSON
 * alone (closed) when it has not. */
static void wire_section(FILE *out, const struct eh__scenario_view *s)
{
    size_t text_len = 0;
    const char *wire_text = eh__string(s->json, "wire_text", &text_len);
    const json_t *wire = json_object_get(s->json, "wire");
    if (wire_text) {
        fputs("<h3>Wire analysis</h3>\n<pre class=\"wire\">", out);
        eh_escape(out, wire_text, text_len, EH_ESC_TEXT);
        fputs("</pre>\n", out);
    }
    if (wire) {
        char *dump = json_dumps(wire, JSON_INDENT(2) | JSON_ENCODE_ANY);
        fprintf(out, "<details><summary>Wire analysis%s</summary><pre>",
                wire_text ? " as JSON" : "");
        text(out, dump ? dump : "");
        fputs("</pre></details>\n", out);
        free(dump);
    }
}

static void scenario_section(FILE *out, size_t i, const struct eh__scenario_view *s)
{
    fprintf(out, "<details id=\"s%zu\"%s><summary>", i, s->verdict == EH_PASS ? "" : " open");
    badge(out, s->verdict);
    fputc(' ', out);
    text(out, s->name);
    fputs("</summary>\n", out);
    if (s->description[0]) {
        fputs("<p>", out);
        eh__escape_code_spans(out, s->description, EH_ESC_TEXT, "<code>", "</code>", EH_ESC_TEXT);
        fputs("</p>\n", out);
    }
    if (s->reason[0]) {
        fputs("<p><b>Reason:</b> ", out);
        text(out, s->reason);
        fputs("</p>\n", out);
    }
    if (json_object_get(s->json, "repeat")) {
        char line[1024];
        eh_repeat_describe(s->json, line, sizeof(line));
        fputs("<p><b>Repeated:</b> ", out);
        text(out, line);
        fputs("</p>\n", out);
    }
    fputs("<p class=\"meta\">", out);
    text(out, s->file);
    if (s->kind[0]) {
        fputs(" &middot; ", out);
        text(out, s->kind);
    }
    fprintf(out, " &middot; %.3f s", s->duration_s);
    const json_t *ep = json_object_get(s->json, "endpoint");
    if (json_is_object(ep)) {
        fputs(" &middot; ", out);
        field(out, ep, "transport");
        fputc(' ', out);
        field(out, ep, "host");
        fputs(" port ", out);
        value(out, json_object_get(ep, "port"));
    }
    const json_t *tags = json_object_get(s->json, "tags");
    if (json_array_size(tags) > 0) {
        fputs(" &middot; tags: ", out);
        eh__escape_argv(out, tags, EH_ESC_TEXT);
    }
    fputs("</p>\n", out);
    checks_table(out, s);
    struct eh__role_view r;
    for (size_t k = 0; eh__role_at(s, k, &r); k++)
        role_section(out, &r);
    if (s->pcap && local_link(s->pcap)) {
        fputs("<p>Capture: <a href=\"", out);
        eh_escape_str(out, s->pcap, EH_ESC_ATTR);
        fputs("\">", out);
        text(out, s->pcap);
        fputs("</a> <span class=\"dim\">(open with Wireshark or <code>tcpdump -nr</code>)"
              "</span></p>\n",
              out);
    }
    wire_section(out, s);
    fputs("</details>\n", out);
}

static void header(FILE *out, const json_t *report)
{
    struct eh__counts n;
    eh__report_counts(report, &n);
    char line[128];
    eh__headline(&n, line, sizeof(line));
    fputs("<h1>echoharness: ", out);
    if (eh__report_implementation(report) != NULL) {
        text(out, eh__report_name(report));
        fputs(": ", out);
    }
    fprintf(out, "%s</h1>\n<p class=\"meta\">Started ", line);
    field(out, report, "started");
    fprintf(out, " &middot; %.3f s &middot; isolation: ",
            json_number_value(json_object_get(report, "duration_ms")) / 1000.0);
    field(out, report, "isolation");
    fprintf(out, " &middot; timeout scale %g &middot; echoharness ",
            json_number_value(json_object_get(report, "timeout_scale")));
    field(out, report, "version");
    fputs("</p>\n", out);
    const char *note = eh__string(report, "isolation_note", NULL);
    if (note) {
        fputs("<p class=\"meta\">Isolation note: ", out);
        text(out, note);
        fputs("</p>\n", out);
    }
    static const char *const commands[][2] = {
        {"command", "Command"},
        {"server_command", "Server under test"},
        {"client_command", "Client under test"},
        {"server_program", "Server build"},
        {"client_program", "Client build"},
    };
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const char *command =
            eh__string(i == 0 ? report : eh__report_implementation(report), commands[i][0], NULL);
        if (command) {
            fprintf(out, "<p class=\"meta\">%s: <code>", commands[i][1]);
            text(out, command);
            fputs("</code></p>\n", out);
        }
    }
}

static void counts(FILE *out, const json_t *report)
{
    struct eh__counts n;
    eh__report_counts(report, &n);
    fprintf(out, "<p class=\"counts\"><b>%zu scenario%s:</b> ", n.total, n.total == 1 ? "" : "s");
    for (int v = 0; v < EH_VERDICT_COUNT; v++)
        fprintf(out, "<span class=\"v %s\">%zu %s</span>", eh_verdict_name((enum eh_verdict)v),
                n.n[v], eh_verdict_name((enum eh_verdict)v));
    fputs("</p>\n<p class=\"legend\">PASS: behaved as expected. FAIL: an expectation was not "
          "met. ERROR: the harness or the set-up failed. TIMEOUT: a deadline passed. SKIP: not "
          "judged.</p>\n",
          out);
}

eh_status eh__write_html(const json_t *report, FILE *out, struct eh_error *err)
{
    (void)err;
    struct eh__counts n;
    eh__report_counts(report, &n);
    char line[128];
    eh__headline(&n, line, sizeof(line));
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>echoharness: ",
          out);
    if (eh__report_implementation(report) != NULL) {
        text(out, eh__report_name(report));
        fputs(": ", out);
    }
    fprintf(out, "%s</title>\n<style>\n%s</style>\n</head>\n<body>\n", line, style);
    header(out, report);
    counts(out, report);
    fputs("<div class=\"scroll\"><table><tr><th>scenario</th><th>kind</th><th>verdict</th>"
          "<th>reason</th><th class=\"nowrap\">time</th></tr>\n",
          out);
    struct eh__scenario_view s;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        fprintf(out, "<tr><td><a href=\"#s%zu\">", i);
        text(out, s.name);
        fputs("</a></td><td>", out);
        text(out, s.kind);
        fputs("</td><td>", out);
        badge(out, s.verdict);
        fputs("</td><td>", out);
        text(out, s.reason);
        fprintf(out, "</td><td class=\"nowrap\">%.3f&nbsp;s</td></tr>\n", s.duration_s);
    }
    fputs("</table></div>\n<h2>Scenarios</h2>\n", out);
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++)
        scenario_section(out, i, &s);
    fputs("</body>\n</html>\n", out);
    return EH_OK;
}
