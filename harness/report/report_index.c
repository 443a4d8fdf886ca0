/* report_index.c - the index of a run of several implementations.
 *
 * A run with --impl or --impls writes each implementation's report into
 * DIR/<name>/ and, in DIR, an index over all of them (eh_report_write_all()):
 * report.json (the whole document), junit.xml (one <testsuite> per
 * implementation, report_junit.c), and the two views written here:
 * report.html, a self-contained page with a table of the implementations
 * and the implementations x scenarios matrix, each cell the verdict linked
 * to the scenario's details in that implementation's report.html; and
 * summary.md with the same grid for a CI job page. A cell is the verdict, or
 * "n/a" where the scenario does not apply to the implementation (no role of
 * it under test, or a transport the implementation does not serve), or "-"
 * where it was selected but is not in this report (another shard's, when the
 * report is a shard's or a merge of some shards). Every string from the
 * document goes through eh_escape().
 */
#include "report.h"

#include <inttypes.h>
#include <string.h>

const struct eh_report_writer eh_report_index_writers[] = {
    {"report.json", eh__write_json},
    {"junit.xml", eh__write_junit},
    {"report.html", eh__write_index_html},
    {"summary.md", eh__write_index_md},
    {NULL, NULL},
};

static const char style[] =
    "body{font:15px/1.45 system-ui,sans-serif;color:#222;max-width:90em;margin:1.5em auto;"
    "padding:0 1em}\n"
    "h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.2em;margin-top:1.5em}\n"
    ".meta,.dim{color:#666}.legend{font-size:.9em;color:#555}\n"
    ".scroll{overflow-x:auto;max-width:100%;margin:.4em 0}\n"
    "table{border-collapse:collapse}\n"
    "th,td{border:1px solid #ddd;padding:.2em .45em;text-align:left;vertical-align:top}\n"
    "th{background:#f3f3f3}td.cell{text-align:center;white-space:nowrap}\n"
    ".v{display:inline-block;min-width:4.5em;text-align:center;font-weight:700;color:#fff;"
    "border-radius:3px;padding:0 .4em;white-space:nowrap;text-decoration:none}\n"
    ".PASS{background:#2e7d32}.FAIL{background:#c62828}.ERROR{background:#6a1b9a}"
    ".TIMEOUT{background:#e65100}.SKIP{background:#757575}\n"
    "code{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f3f3f3;"
    "border-radius:3px;padding:0 .2em}\n";

/* One cell of the matrix. */
struct cell {
    enum { CELL_NA, CELL_OTHER_SHARD, CELL_RESULT } state;
    struct eh__scenario_view s; /* CELL_RESULT */
    size_t index;               /* CELL_RESULT: its place in the implementation's report */
};

/* The cell of implementation impl and scenario name. */
static void cell_at(const json_t *report, const char *impl, const char *name, struct cell *out)
{
    char key[1024];
    snprintf(key, sizeof(key), "%s/%s", impl, name);
    out->state = CELL_NA;
    size_t i, index = 0;
    const json_t *pair;
    json_array_foreach(json_object_get(json_object_get(report, "selection"), "pairs"), i, pair)
    {
        if (json_is_string(pair) && strcmp(json_string_value(pair), key) == 0)
            out->state = CELL_OTHER_SHARD;
    }
    struct eh__scenario_view s;
    for (i = 0; eh__scenario_at(report, i, &s); i++) {
        const char *of = eh__string(s.json, "implementation", NULL);
        if (of == NULL || strcmp(of, impl) != 0)
            continue;
        if (strcmp(s.name, name) == 0) {
            *out = (struct cell){.state = CELL_RESULT, .s = s, .index = index};
            return;
        }
        index++;
    }
}

/* The scenario names of the matrix's rows, in the selection's order, each
 * once. Caller frees with json_decref(). */
static json_t *scenario_rows(const json_t *report)
{
    json_t *rows = json_array(), *seen = json_object();
    size_t i;
    const json_t *pair;
    json_array_foreach(json_object_get(json_object_get(report, "selection"), "pairs"), i, pair)
    {
        const char *slash = json_is_string(pair) ? strchr(json_string_value(pair), '/') : NULL;
        if (slash != NULL && json_object_get(seen, slash + 1) == NULL) {
            json_object_set_new(seen, slash + 1, json_true());
            json_array_append_new(rows, json_string(slash + 1));
        }
    }
    struct eh__scenario_view s; /* results beyond the selection, should a report have them */
    for (i = 0; eh__scenario_at(report, i, &s); i++) {
        if (json_object_get(seen, s.name) == NULL) {
            json_object_set_new(seen, s.name, json_true());
            json_array_append_new(rows, json_string(s.name));
        }
    }
    json_decref(seen);
    return rows;
}

/* "3 implementations: 2 of 24 scenarios failed" into buf. */
static void index_headline(const json_t *report, char *buf, size_t len)
{
    struct eh__counts n;
    eh__report_counts(report, &n);
    char line[128];
    eh__headline(&n, line, sizeof(line));
    size_t k = json_array_size(json_object_get(report, "implementations"));
    snprintf(buf, len, "%zu implementation%s: %s", k, k == 1 ? "" : "s", line);
}

static const json_t *impl_summary_count(const json_t *impl, const char *key)
{
    return json_object_get(json_object_get(impl, "summary"), key);
}

/* HTML. */

static void text(FILE *out, const char *s)
{
    eh_escape_str(out, s, EH_ESC_TEXT);
}

static void html_meta(FILE *out, const json_t *report)
{
    static const char *const keys[] = {"started", "isolation", "version"};
    fputs("<p class=\"meta\">", out);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = eh__string(report, keys[i], NULL);
        fprintf(out, "%s%s ", i ? " &middot; " : "", keys[i]);
        text(out, v ? v : "?");
    }
    fprintf(out, " &middot; %.3f s &middot; timeout scale %g</p>\n",
            json_number_value(json_object_get(report, "duration_ms")) / 1000.0,
            json_number_value(json_object_get(report, "timeout_scale")));
    const char *note = eh__string(report, "isolation_note", NULL);
    if (note) {
        fputs("<p class=\"meta\">Isolation note: ", out);
        text(out, note);
        fputs("</p>\n", out);
    }
    const char *command = eh__string(report, "command", NULL);
    if (command) {
        fputs("<p class=\"meta\">Command: <code>", out);
        text(out, command);
        fputs("</code></p>\n", out);
    }
    char missing[256];
    size_t n_missing = eh_report_missing_shards(report, missing, sizeof(missing));
    const json_t *shard = json_object_get(report, "shard");
    if (shard != NULL)
        fprintf(out, "<p class=\"meta\">Shards: %zu of %" JSON_INTEGER_FORMAT "%s%s%s</p>\n",
                json_array_size(json_object_get(shard, "parts")),
                json_integer_value(json_object_get(shard, "of")), n_missing ? " (missing: " : "",
                missing, n_missing ? ")" : "");
}

/* A link to the implementation's own report: href="NAME/FILE". */
static void impl_href(FILE *out, const char *name, const char *file)
{
    fputs(" href=\"", out);
    eh_escape_str(out, name, EH_ESC_ATTR);
    fputc('/', out);
    eh_escape_str(out, file, EH_ESC_ATTR);
    fputc('"', out);
}

static void html_implementations(FILE *out, const json_t *report)
{
    fputs("<h2>Implementations</h2>\n<div class=\"scroll\"><table><tr><th>implementation</th>"
          "<th>under test</th>",
          out);
    for (int v = 0; v < EH_VERDICT_COUNT; v++)
        fprintf(out, "<th>%s</th>", eh_verdict_name((enum eh_verdict)v));
    fputs("</tr>\n", out);
    size_t i;
    const json_t *impl;
    json_array_foreach(json_object_get(report, "implementations"), i, impl)
    {
        const char *name = eh__string(impl, "name", NULL);
        const char *server = eh__string(impl, "server_command", NULL);
        const char *client = eh__string(impl, "client_command", NULL);
        fputs("<tr><td><a", out);
        impl_href(out, name ? name : "", "report.html");
        fputc('>', out);
        text(out, name ? name : "?");
        fputs("</a></td><td>", out);
        if (server) {
            fputs("server <code>", out);
            text(out, server);
            fputs("</code> ", out);
        }
        if (client) {
            fputs("client <code>", out);
            text(out, client);
            fputs("</code>", out);
        }
        fputs("</td>", out);
        for (int v = 0; v < EH_VERDICT_COUNT; v++)
            fprintf(
                out, "<td>%" JSON_INTEGER_FORMAT "</td>",
                json_integer_value(impl_summary_count(impl, eh_verdict_name((enum eh_verdict)v))));
        fputs("</tr>\n", out);
    }
    fputs("</table></div>\n", out);
}

static void html_cell(FILE *out, const char *impl, const struct cell *c)
{
    fputs("<td class=\"cell\">", out);
    switch (c->state) {
    case CELL_NA:
        fputs("<span class=\"dim\" title=\"does not apply to this implementation\">n/a</span>",
              out);
        break;
    case CELL_OTHER_SHARD:
        fputs("<span class=\"dim\" title=\"selected, not in this report (another shard)\">"
              "&ndash;</span>",
              out);
        break;
    case CELL_RESULT: {
        char anchor[64];
        snprintf(anchor, sizeof(anchor), "report.html#s%zu", c->index);
        fprintf(out, "<a class=\"v %s\"", eh_verdict_name(c->s.verdict));
        impl_href(out, impl, anchor);
        fputs(" title=\"", out);
        eh_escape_str(out, c->s.reason, EH_ESC_ATTR);
        fprintf(out, "\">%s</a>", eh_verdict_name(c->s.verdict));
        break;
    }
    }
    fputs("</td>", out);
}

static void html_matrix(FILE *out, const json_t *report)
{
    const json_t *impls = json_object_get(report, "implementations"), *impl, *row;
    json_t *rows = scenario_rows(report);
    fputs("<h2>Implementations &times; scenarios</h2>\n<div class=\"scroll\"><table "
          "class=\"matrix\"><tr><th>scenario</th>",
          out);
    size_t i, k;
    json_array_foreach(impls, k, impl)
    {
        const char *name = eh__string(impl, "name", NULL);
        fputs("<th><a", out);
        impl_href(out, name ? name : "", "report.html");
        fputc('>', out);
        text(out, name ? name : "?");
        fputs("</a></th>", out);
    }
    fputs("</tr>\n", out);
    json_array_foreach(rows, i, row)
    {
        fputs("<tr><td>", out);
        text(out, json_string_value(row));
        fputs("</td>", out);
        json_array_foreach(impls, k, impl)
        {
            const char *name = eh__string(impl, "name", NULL);
            struct cell c;
            cell_at(report, name ? name : "", json_string_value(row), &c);
            html_cell(out, name ? name : "", &c);
        }
        fputs("</tr>\n", out);
    }
    fputs("</table></div>\n<p class=\"legend\">Each verdict links to the scenario in that "
          "implementation's report. n/a: the scenario does not apply (no role of it is under "
          "test for this implementation, or it uses a transport the implementation does not "
          "serve). &ndash;: selected, but in a shard this report does not hold.</p>\n",
          out);
    json_decref(rows);
}

eh_status eh__write_index_html(const json_t *report, FILE *out, struct eh_error *err)
{
    (void)err;
    char line[192];
    index_headline(report, line, sizeof(line));
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>echoharness: ",
          out);
    text(out, line);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>echoharness: ", style);
    text(out, line);
    fputs("</h1>\n", out);
    html_meta(out, report);
    html_implementations(out, report);
    html_matrix(out, report);
    fputs("</body>\n</html>\n", out);
    return EH_OK;
}

/* Markdown. */

static void md(FILE *out, const char *s)
{
    eh_escape_str(out, s, EH_ESC_MD);
}

static void md_cell(FILE *out, const struct cell *c)
{
    switch (c->state) {
    case CELL_NA:
        fputs(" n/a |", out);
        break;
    case CELL_OTHER_SHARD:
        fputs(" &ndash; |", out);
        break;
    case CELL_RESULT:
        fprintf(out, eh__verdict_is_problem(c->s.verdict) ? " **%s** |" : " %s |",
                eh_verdict_name(c->s.verdict));
        break;
    }
}

static void md_implementations(FILE *out, const json_t *report)
{
    fputs("| implementation | under test |", out);
    for (int v = 0; v < EH_VERDICT_COUNT; v++)
        fprintf(out, " %s |", eh_verdict_name((enum eh_verdict)v));
    fputs("\n|---|---|", out);
    for (int v = 0; v < EH_VERDICT_COUNT; v++)
        fputs("---|", out);
    fputc('\n', out);
    size_t i;
    const json_t *impl;
    json_array_foreach(json_object_get(report, "implementations"), i, impl)
    {
        const char *name = eh__string(impl, "name", NULL);
        const char *server = eh__string(impl, "server_command", NULL);
        const char *client = eh__string(impl, "client_command", NULL);
        fputs("| ", out);
        md(out, name ? name : "?");
        fputs(" |", out);
        if (server) {
            fputs(" server: ", out);
            md(out, server);
        }
        if (client) {
            fputs(" client: ", out);
            md(out, client);
        }
        fputs(" |", out);
        for (int v = 0; v < EH_VERDICT_COUNT; v++)
            fprintf(
                out, " %" JSON_INTEGER_FORMAT " |",
                json_integer_value(impl_summary_count(impl, eh_verdict_name((enum eh_verdict)v))));
        fputc('\n', out);
    }
    fputc('\n', out);
}

static void md_grid(FILE *out, const json_t *report)
{
    const json_t *impls = json_object_get(report, "implementations"), *impl, *row;
    json_t *rows = scenario_rows(report);
    size_t i, k;
    fputs("| scenario |", out);
    json_array_foreach(impls, k, impl)
    {
        const char *name = eh__string(impl, "name", NULL);
        fputc(' ', out);
        md(out, name ? name : "?");
        fputs(" |", out);
    }
    fputs("\n|---|", out);
    for (k = 0; k < json_array_size(impls); k++)
        fputs("---|", out);
    fputc('\n', out);
    json_array_foreach(rows, i, row)
    {
        fputs("| ", out);
        md(out, json_string_value(row));
        fputs(" |", out);
        json_array_foreach(impls, k, impl)
        {
            const char *name = eh__string(impl, "name", NULL);
            struct cell c;
            cell_at(report, name ? name : "", json_string_value(row), &c);
            md_cell(out, &c);
        }
        fputc('\n', out);
    }
    fputs("\nn/a: does not apply to the implementation; &ndash;: in another shard. Each "
          "implementation's own report is in its folder: `NAME/summary.md`, "
          "`NAME/report.html`.\n\n",
          out);
    json_decref(rows);
}

/* One line per result that did not pass: "- **FAIL** impl/scenario: reason". */
static void md_problems(FILE *out, const json_t *report)
{
    struct eh__scenario_view s;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        if (!eh__verdict_is_problem(s.verdict))
            continue;
        const char *impl = eh__string(s.json, "implementation", NULL);
        fprintf(out, "- **%s** ", eh_verdict_name(s.verdict));
        md(out, impl ? impl : "?");
        fputc('/', out);
        md(out, s.name);
        fputs(": ", out);
        md(out, s.reason);
        fputc('\n', out);
    }
}

eh_status eh__write_index_md(const json_t *report, FILE *out, struct eh_error *err)
{
    (void)err;
    char line[192];
    index_headline(report, line, sizeof(line));
    fputs("# echoharness: ", out);
    md(out, line);
    fputs("\n\n", out);
    const char *started = eh__string(report, "started", NULL);
    const char *isolation = eh__string(report, "isolation", NULL);
    fprintf(out, "%.3f s", json_number_value(json_object_get(report, "duration_ms")) / 1000.0);
    if (started) {
        fputs(" &middot; started ", out);
        md(out, started);
    }
    if (isolation) {
        fputs(" &middot; isolation: ", out);
        md(out, isolation);
    }
    fputs("  \n", out);
    const char *command = eh__string(report, "command", NULL);
    if (command) {
        fputs("Command: ", out);
        md(out, command);
        fputs("  \n", out);
    }
    char missing[256];
    const json_t *shard = json_object_get(report, "shard");
    size_t n_missing = eh_report_missing_shards(report, missing, sizeof(missing));
    if (shard != NULL)
        fprintf(out, "Shards: %zu of %" JSON_INTEGER_FORMAT "%s%s%s  \n",
                json_array_size(json_object_get(shard, "parts")),
                json_integer_value(json_object_get(shard, "of")), n_missing ? " (missing: " : "",
                missing, n_missing ? ")" : "");
    const char *note = eh__string(report, "isolation_note", NULL);
    if (note) {
        fputs("\n> ", out);
        md(out, note);
        fputc('\n', out);
    }
    fputc('\n', out);
    md_implementations(out, report);
    md_grid(out, report);
    md_problems(out, report);
    return EH_OK;
}
