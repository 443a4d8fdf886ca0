/* report_html.c - report.html: one self-contained page for people.
 *
 * No external assets: the CSS, the drawings (inline SVG, report_svg.c) and
 * one small script are in the page, and nothing is fetched. The page opens
 * with a headline that says what `run`'s exit status says and the counts,
 * then a summary table that filters by verdict and tag (the script; without
 * it every row shows), then one <details> per scenario (open when it did not
 * pass) with its description (`code` spans as <code>), reason, for --repeat
 * a histogram per timing-dependent outcome, a ladder diagram per connection
 * with both event logs beside it on the capture's clock, the checks, each
 * role's command line, exit and output, the event log as a compact table, a
 * link to its capture and the wire analysis. Wide tables and drawings scroll
 * inside their own box; printed, every <details> opens and nothing sticks.
 *
 * It is meant to be read by someone learning what the socket calls did, and
 * it shows bytes from programs nobody here trusts: every byte from the
 * document goes through eh_escape(), and a Content-Security-Policy allows
 * only the page's own stylesheet and script, by their SHA-256, so markup
 * that slipped through would still run nothing. The page stays bounded:
 * event rows, output, drawings and the wire JSON shown are capped, the rest
 * is in report.json.
 */
#include "repeat.h"
#include "hex.h"
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENTS 500            /* event rows per role; the rest is in report.json */
#define MAX_DATA_BYTES 256        /* bytes of an event's data shown */
#define MAX_WIRE_JSON (64u << 10) /* bytes of the wire analysis JSON shown */

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
    "table.summary thead th{position:sticky;top:0;z-index:1}\n"
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
    "table.events td.other{white-space:normal;min-width:14em}\n"
    "[hidden]{display:none!important}\n"
    "#filters{margin:.6em 0;padding:.4em .6em;background:#f6f6f6;border-radius:4px}"
    "#filters label{margin-right:.8em;white-space:nowrap}#shown{color:#555}\n"
    "svg.defs{position:absolute;width:0;height:0;overflow:hidden}\n"
    ".ladder-box{overflow-x:auto;margin:.3em 0}\n"
    "svg.ladder{font:11px ui-monospace,Menlo,Consolas,monospace;display:block}\n"
    "svg.ladder text.lane{font:700 12px system-ui,sans-serif;fill:#222}"
    "svg.ladder line.lane{stroke:#9e9e9e;stroke-width:2}svg.ladder .t{fill:#777}\n"
    ".pkt line{stroke:#616161;stroke-width:1.2}.pkt text{fill:#333}\n"
    ".pkt.syn line{stroke:#1565c0}.pkt.syn text{fill:#1565c0}"
    ".pkt.data line{stroke:#2e7d32;stroke-width:2}.pkt.data text{fill:#1b5e20}\n"
    ".pkt.fin line{stroke:#ef6c00;stroke-width:2.5}.pkt.fin text{fill:#e65100;font-weight:700}"
    ".pkt.rst line{stroke:#c62828;stroke-width:3}.pkt.rst text{fill:#c62828;font-weight:700}\n"
    ".pkt.udp line{stroke:#6a1b9a;stroke-width:2}.pkt.udp text{fill:#6a1b9a}"
    ".pkt.retrans line{stroke-dasharray:5 3}.pkt.retrans text{font-style:italic}\n"
    ".ev circle{fill:#616161}.ev text{fill:#222}"
    ".ev.err circle{fill:#c62828}.ev.err text{fill:#c62828;font-weight:700}\n"
    ".note line{stroke:#bdbdbd;stroke-dasharray:2 3}.note text{fill:#555;font-style:italic}"
    ".gap text{fill:#757575;font-style:italic}.gap line{stroke:#e0e0e0;stroke-dasharray:6 4}\n"
    ".caption{font-size:.92em;margin:.2em 0 1em}\n"
    ".k-syn{color:#1565c0}.k-data{color:#2e7d32}.k-fin{color:#e65100;font-weight:700}"
    ".k-rst{color:#c62828;font-weight:700}\n"
    ".hists{display:flex;flex-wrap:wrap;gap:0 2em}figure.hist{margin:.3em 0}"
    "figure.hist figcaption{font-size:.92em}\n"
    "svg.histogram{font:12px system-ui,sans-serif}svg.histogram rect{fill:#1565c0}"
    "svg.histogram text{fill:#222}\n"
    "@media print{body{max-width:none;margin:0;font-size:11px}#filters{display:none}"
    "table.summary thead th{position:static}.scroll,.ladder-box{overflow:visible}"
    "pre{max-height:none;overflow:visible}details{border:none;padding:0}"
    "details::details-content{content-visibility:visible;display:block}"
    "svg.ladder,figure.hist,tr{break-inside:avoid}a{color:inherit}}\n";

/* The page's one script: the summary's filters, and every <details> open
 * while printing. It reads the rows' data-verdict and data-tags attributes
 * and never takes text from the document into code. */
static const char script[] =
    "(function(){var f=document.getElementById('filters');if(!f)return;f.hidden=false;\n"
    "var rows=document.querySelectorAll('[data-verdict]');\n"
    "function apply(){var on={},tag=f.querySelector('select').value,shown=0,total=0;\n"
    "f.querySelectorAll('input').forEach(function(c){on[c.value]=c.checked;});\n"
    "rows.forEach(function(e){var t=' '+e.getAttribute('data-tags')+' ';\n"
    "var ok=on[e.getAttribute('data-verdict')]&&(tag===''||t.indexOf(' '+tag+' ')>=0);\n"
    "e.hidden=!ok;if(e.tagName==='TR'){total++;if(ok)shown++;}});\n"
    "document.getElementById('shown').textContent=shown+' of '+total+' scenarios shown';}\n"
    "f.addEventListener('change',apply);"
    "f.addEventListener('submit',function(e){e.preventDefault();});apply();\n"
    "window.addEventListener('beforeprint',function(){document.querySelectorAll('details')"
    ".forEach(function(d){if(!d.open){d.open=true;d.setAttribute('data-print','');}});});\n"
    "window.addEventListener('afterprint',function(){document.querySelectorAll("
    "'details[data-print]').forEach(function(d){d.open=false;d.removeAttribute('data-print');});"
    "});})();\n";

/* The arrowheads of the ladders, defined once for the page. */
static const char markers[] =
    "<svg class=\"defs\" aria-hidden=\"true\" focusable=\"false\"><defs>\n"
    "<marker id=\"eh-syn\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
    "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#1565c0\"/></marker>\n"
    "<marker id=\"eh-ack\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
    "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#616161\"/></marker>\n"
    "<marker id=\"eh-data\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"6\" "
    "markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#2e7d32\"/></marker>\n"
    "<marker id=\"eh-fin\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" "
    "markerHeight=\"5\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#ef6c00\"/></marker>\n"
    "<marker id=\"eh-rst\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" "
    "markerHeight=\"5\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#c62828\"/></marker>\n"
    "<marker id=\"eh-udp\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"6\" "
    "markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#6a1b9a\"/></marker>\n"
    "</defs></svg>\n";

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
 * result has "wire_text", with the JSON behind a closed <details> (its first
 * MAX_WIRE_JSON bytes); the JSON alone (closed) when it has not. */
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
        size_t len = dump ? strlen(dump) : 0, shown = len < MAX_WIRE_JSON ? len : MAX_WIRE_JSON;
        fprintf(out, "<details><summary>Wire analysis%s</summary><pre>",
                wire_text ? " as JSON" : "");
        eh_escape(out, dump ? dump : "", shown, EH_ESC_TEXT);
        fputs("</pre>", out);
        if (shown < len)
            fprintf(out, "<p class=\"dim\">The first %zu of %zu bytes; report.json has all.</p>",
                    shown, len);
        fputs("</details>\n", out);
        free(dump);
    }
}

/* The scenario's tags, space-separated, for the filters' data-tags. */
static void tags_attr(FILE *out, const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        if (i > 0)
            fputc(' ', out);
        eh_escape_str(out, json_is_string(t) ? json_string_value(t) : "", EH_ESC_ATTR);
    }
}

/* The line under a scenario's name: file, kind, time, endpoint, tags. */
static void scenario_meta(FILE *out, const struct eh__scenario_view *s)
{
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
}

static void scenario_section(FILE *out, size_t i, const struct eh__scenario_view *s)
{
    fprintf(out, "<details id=\"s%zu\" data-verdict=\"%s\" data-tags=\"", i,
            eh_verdict_name(s->verdict));
    tags_attr(out, json_object_get(s->json, "tags"));
    fprintf(out, "\"%s><summary>", s->verdict == EH_PASS ? "" : " open");
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
    const json_t *repeat = json_object_get(s->json, "repeat");
    if (repeat) {
        char line[1024];
        eh_repeat_describe(s->json, line, sizeof(line));
        fputs("<p><b>Repeated:</b> ", out);
        text(out, line);
        fputs("</p>\n", out);
        eh__html_histograms(out, repeat);
    }
    scenario_meta(out, s);
    eh__html_ladders(out, s);
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

/* Every tag of the report once, in the order first met, as JSON strings. */
static json_t *all_tags(const json_t *report)
{
    json_t *seen = json_object(), *list = json_array();
    struct eh__scenario_view s;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        size_t k;
        const json_t *t;
        json_array_foreach(json_object_get(s.json, "tags"), k, t)
        {
            if (json_is_string(t) && !json_object_get(seen, json_string_value(t))) {
                json_object_set_new(seen, json_string_value(t), json_true());
                json_array_append(list, (json_t *)t);
            }
        }
    }
    json_decref(seen);
    return list;
}

/* The filters over the summary table and the sections; hidden until the
 * script shows them. */
static void filters(FILE *out, const json_t *report)
{
    fputs("<form id=\"filters\" hidden><b>Show:</b> ", out);
    for (int v = 0; v < EH_VERDICT_COUNT; v++)
        fprintf(out, "<label><input type=\"checkbox\" value=\"%s\" checked> %s</label>",
                eh_verdict_name((enum eh_verdict)v), eh_verdict_name((enum eh_verdict)v));
    fputs("<label>tag <select><option value=\"\">any</option>", out);
    json_t *tags = all_tags(report);
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        fputs("<option value=\"", out);
        eh_escape_str(out, json_string_value(t), EH_ESC_ATTR);
        fputs("\">", out);
        text(out, json_string_value(t));
        fputs("</option>", out);
    }
    json_decref(tags);
    fputs("</select></label> <span id=\"shown\"></span></form>\n", out);
}

static void summary_table(FILE *out, const json_t *report)
{
    fputs("<div class=\"scroll\"><table class=\"summary\"><thead><tr><th>scenario</th>"
          "<th>kind</th><th>tags</th><th>verdict</th><th>reason</th><th class=\"nowrap\">time</th>"
          "</tr></thead><tbody>\n",
          out);
    struct eh__scenario_view s;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        const json_t *tags = json_object_get(s.json, "tags");
        fprintf(out, "<tr data-verdict=\"%s\" data-tags=\"", eh_verdict_name(s.verdict));
        tags_attr(out, tags);
        fprintf(out, "\"><td><a href=\"#s%zu\">", i);
        text(out, s.name);
        fputs("</a></td><td>", out);
        text(out, s.kind);
        fputs("</td><td>", out);
        eh__escape_argv(out, tags, EH_ESC_TEXT);
        fputs("</td><td>", out);
        badge(out, s.verdict);
        fputs("</td><td>", out);
        text(out, s.reason);
        fprintf(out, "</td><td class=\"nowrap\">%.3f&nbsp;s</td></tr>\n", s.duration_s);
    }
    fputs("</tbody></table></div>\n", out);
}

eh_status eh__write_html(const json_t *report, FILE *out, struct eh_error *err)
{
    (void)err;
    struct eh__counts n;
    eh__report_counts(report, &n);
    char line[128], style_hash[EH__CSP_HASH_LEN], script_hash[EH__CSP_HASH_LEN];
    eh__headline(&n, line, sizeof(line));
    eh__csp_hash(style, style_hash);
    eh__csp_hash(script, script_hash);
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src '%s'; script-src '%s'; img-src data:; base-uri 'none'; "
            "form-action 'none'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>echoharness: ",
            style_hash, script_hash);
    if (eh__report_implementation(report) != NULL) {
        text(out, eh__report_name(report));
        fputs(": ", out);
    }
    fprintf(out, "%s</title>\n<style>%s</style>\n</head>\n<body>\n%s", line, style, markers);
    header(out, report);
    counts(out, report);
    filters(out, report);
    summary_table(out, report);
    fputs("<h2>Scenarios</h2>\n", out);
    struct eh__scenario_view s;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++)
        scenario_section(out, i, &s);
    fprintf(out, "<script>%s</script>\n</body>\n</html>\n", script);
    return EH_OK;
}
