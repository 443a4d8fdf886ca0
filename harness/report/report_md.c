/* report_md.c - summary.md: a short Markdown summary for CI job pages.
 *
 * A heading that names the implementation and says what `run`'s exit status
 * says (failures are FAIL, ERROR and TIMEOUT; SKIP is not one), the counts,
 * the commands that were run (echoharness's, the implementation's) and the
 * shards, a table scenario | verdict |
 * reason with the failures in bold, then one section per scenario that did
 * not pass with its description and problem checks. Fits a GitHub Actions
 * job summary ($GITHUB_STEP_SUMMARY). Text from the document is escaped by
 * eh_escape() so that '|', backticks, newlines and HTML cannot break the
 * table or the page; only a description, written by a scenario's author,
 * keeps its `code` spans as Markdown.
 */
#include "repeat.h"
#include "report.h"

static void md(FILE *out, const char *s)
{
    eh_escape_str(out, s, EH_ESC_MD);
}

static void verdict(FILE *out, enum eh_verdict v)
{
    fprintf(out, eh__verdict_is_problem(v) ? "**%s**" : "%s", eh_verdict_name(v));
}

/* The commands: echoharness's, and those of the implementation under test. */
static void commands(FILE *out, const json_t *report)
{
    static const char *const keys[][2] = {
        {"command", "Command"},
        {"server_command", "Server under test"},
        {"client_command", "Client under test"},
        {"server_program", "Server build"},
        {"client_program", "Client build"},
    };
    const json_t *impl = eh__report_implementation(report);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *cmd = eh__string(i == 0 ? report : impl, keys[i][0], NULL);
        if (cmd == NULL)
            continue;
        fprintf(out, "%s: ", keys[i][1]);
        md(out, cmd);
        fputs("  \n", out);
    }
    const json_t *shard = json_object_get(report, "shard");
    if (shard != NULL) {
        char missing[256];
        size_t n = eh_report_missing_shards(report, missing, sizeof(missing));
        fprintf(out, "Shards: %zu of %" JSON_INTEGER_FORMAT,
                json_array_size(json_object_get(shard, "parts")),
                json_integer_value(json_object_get(shard, "of")));
        if (n > 0)
            fprintf(out, " (missing: %s)", missing);
        fputs("  \n", out);
    }
    fputc('\n', out);
}

static void heading(FILE *out, const json_t *report)
{
    struct eh__counts n;
    eh__report_counts(report, &n);
    char line[128];
    eh__headline(&n, line, sizeof(line));
    fputs("# echoharness: ", out);
    if (eh__report_implementation(report) != NULL) {
        md(out, eh__report_name(report));
        fputs(": ", out);
    }
    fprintf(out, "%s\n\n", line);
    fprintf(out, "%zu scenario%s:", n.total, n.total == 1 ? "" : "s");
    for (int v = 0; v < EH_VERDICT_COUNT; v++)
        fprintf(out, "%s %zu %s", v ? "," : "", n.n[v], eh_verdict_name((enum eh_verdict)v));
    const char *started = eh__string(report, "started", NULL);
    const char *isolation = eh__string(report, "isolation", NULL);
    if (started) {
        fputs(" &middot; started ", out);
        md(out, started);
    }
    fprintf(out, " &middot; %.3f s",
            json_number_value(json_object_get(report, "duration_ms")) / 1000.0);
    if (isolation) {
        fputs(" &middot; isolation: ", out);
        md(out, isolation);
    }
    fputs("\n\n", out);
    const char *note = eh__string(report, "isolation_note", NULL);
    if (note) {
        fputs("> ", out);
        md(out, note);
        fputs("\n\n", out);
    }
    commands(out, report);
}

static void problem_section(FILE *out, const struct eh__scenario_view *s)
{
    fprintf(out, "## %s: ", eh_verdict_name(s->verdict));
    md(out, s->name);
    fputs("\n\n", out);
    if (s->description[0]) {
        fputs("> ", out);
        eh__escape_code_spans(out, s->description, EH_ESC_MD, "`", "`", EH_ESC_TERM);
        fputs("\n\n", out);
    }
    if (s->reason[0]) {
        md(out, s->reason);
        fputs("\n\n", out);
    }
    struct eh__check_view c;
    size_t listed = 0;
    for (size_t i = 0; eh__check_at(s, i, &c); i++) {
        if (!eh__verdict_is_problem(c.verdict))
            continue;
        fputs("- ", out);
        verdict(out, c.verdict);
        fputc(' ', out);
        md(out, c.kind);
        if (c.who[0]) {
            fputs(" (", out);
            md(out, c.who);
            fputc(')', out);
        }
        fputs(" at ", out);
        md(out, c.expect);
        fputs(": ", out);
        md(out, c.reason);
        fputc('\n', out);
        listed++;
    }
    if (listed > 0)
        fputc('\n', out);
}

eh_status eh__write_md(const json_t *report, FILE *out, struct eh_error *err)
{
    (void)err;
    heading(out, report);
    fputs("| scenario | verdict | reason |\n|---|---|---|\n", out);
    struct eh__scenario_view s;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        fputs("| ", out);
        md(out, s.name);
        fputs(" | ", out);
        verdict(out, s.verdict);
        fputs(" | ", out);
        md(out, s.reason);
        fputs(" |\n", out);
    }
    fputc('\n', out);
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        if (json_object_get(s.json, "repeat")) { /* --repeat: the measured distribution */
            char line[1024];
            eh_repeat_describe(s.json, line, sizeof(line));
            fputs("- ", out);
            md(out, s.name);
            fputs(": ", out);
            md(out, line);
            fputc('\n', out);
        }
    }
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++)
        if (s.verdict != EH_PASS)
            problem_section(out, &s);
    return EH_OK;
}
