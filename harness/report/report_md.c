/* report_md.c - summary.md: a short Markdown summary for CI job pages.
 *
 * A heading that names the implementation and says what `run`'s exit status
 * says (failures are FAIL, ERROR and TIMEOUT; SKIP is not one), the counts,
 * the commands that were run (echoharness's, the implementation's) and the
 * shards, the grade (grade.h: rules passed out of the rules that apply, per
 * group, each failure with its reason, the scenarios not served by the
 * implementation and those not judged here listed apart), a table scenario
 * | verdict | reason with the failures in bold, the network conditions of
 * the scenarios that asked for some with the retransmissions the capture
 * shows, then one section per scenario that did not pass (not served ones
 * aside) with its description and problem checks. Fits a GitHub Actions
 * job summary ($GITHUB_STEP_SUMMARY). Text from the document is escaped by
 * eh_escape() so that '|', backticks, newlines and HTML cannot break the
 * table or the page; only a description, written by a scenario's author,
 * keeps its `code` spans as Markdown.
 */
#include "grade.h"
#include "repeat.h"
#include "report.h"

#include <string.h>

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

/* "- **FAIL** name (TCP): reason" for each conformance scenario whose
 * verdict is a problem (problems true) or a SKIP that is (not_served true) or
 * is not (false) a scenario not served. Returns how many it listed. */
static size_t grade_list(FILE *out, const json_t *report, bool problems, bool not_served)
{
    struct eh__scenario_view s;
    size_t listed = 0;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        bool skip_kind = s.verdict == EH_SKIP && eh_grade_not_served(s.json) == not_served;
        if (strcmp(s.kind, "conformance") != 0 ||
            !(problems ? eh__verdict_is_problem(s.verdict) : skip_kind))
            continue;
        fputs("- ", out);
        if (problems) {
            verdict(out, s.verdict);
            fputc(' ', out);
        }
        md(out, s.name);
        fprintf(out, " (%s): ", eh_grade_group_name(eh_grade_group_of(s.json)));
        md(out, s.reason);
        fputc('\n', out);
        listed++;
    }
    return listed;
}

/* The grade: rules passed out of the rules that apply, per group; then the
 * failures, the rules not served and those not judged here. Nothing when
 * no conformance scenario ran. */
static void grade_section(FILE *out, const json_t *report)
{
    struct eh_grade g;
    char line[512];
    eh_grade_of(report, &g);
    if (g.apply + g.not_served + g.not_judged == 0)
        return;
    eh_grade_line(&g, line, sizeof(line));
    fputs("## Grade: ", out);
    md(out, line);
    fputs("\n\n| rules | passed | apply | not served | not judged here |\n"
          "|---|---|---|---|---|\n",
          out);
    for (int i = 0; i < EH_GRADE_GROUP_COUNT; i++) {
        const struct eh_grade_group *k = &g.groups[i];
        if (k->apply + k->not_served + k->not_judged > 0)
            fprintf(out, "| %s | %zu | %zu | %zu | %zu |\n", k->name, k->passed, k->apply,
                    k->not_served, k->not_judged);
    }
    fputc('\n', out);
    if (g.passed < g.apply) {
        fputs("Rules that failed:\n\n", out);
        grade_list(out, report, true, false);
        fputc('\n', out);
    }
    if (g.not_served > 0) {
        fputs("Not served by this implementation (not counted; `--require` makes them "
              "fail):\n\n",
              out);
        grade_list(out, report, false, true);
        fputc('\n', out);
    }
    if (g.not_judged > 0) {
        fputs("Not judged here (not counted):\n\n", out);
        grade_list(out, report, false, false);
        fputc('\n', out);
    }
    const json_t *not_applicable = json_object_get(report, "not_applicable");
    if (json_array_size(not_applicable) > 0) {
        size_t i;
        const json_t *name;
        fputs("Not run: they judge no role the given command replaces:", out);
        json_array_foreach(not_applicable, i, name)
        {
            fputs(i ? ", " : " ", out);
            md(out, json_is_string(name) ? json_string_value(name) : "?");
        }
        fputs(".\n\n", out);
    }
}

/* "- name: MTU 1500, 3% loss; the capture shows 21 retransmitted segments
 * (client 11, server 10)" for each scenario run under network conditions. */
static void network_section(FILE *out, const json_t *report)
{
    struct eh__scenario_view s;
    bool any = false;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        const json_t *net = json_object_get(s.json, "network");
        if (!json_is_object(net))
            continue;
        if (!any)
            fputs("Network conditions (set in each scenario's own namespace):\n\n", out);
        any = true;
        fputs("- ", out);
        md(out, s.name);
        fputs(":", out);
        static const struct {
            const char *key, *before, *after;
        } fields[] = {{"mtu", "MTU ", ""},
                      {"loss_percent", "", "% loss"},
                      {"delay_ms", "", " ms delay"},
                      {"reorder_percent", "", "% reordered"}};
        const char *sep = " ";
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
            const json_t *v = json_object_get(net, fields[k].key);
            if (!json_is_integer(v))
                continue;
            fprintf(out, "%s%s%" JSON_INTEGER_FORMAT "%s", sep, fields[k].before,
                    json_integer_value(v), fields[k].after);
            sep = ", ";
        }
        const json_t *segs = json_object_get(net, "retransmitted_segments");
        const char *why = eh__string(net, "why", NULL);
        if (why) {
            fputs("; not applied: ", out);
            md(out, why);
        } else if (json_is_object(segs)) {
            json_int_t c = json_integer_value(json_object_get(segs, "client"));
            json_int_t v = json_integer_value(json_object_get(segs, "server"));
            fprintf(out,
                    "; the capture shows %" JSON_INTEGER_FORMAT
                    " retransmitted segments (client %" JSON_INTEGER_FORMAT
                    ", server %" JSON_INTEGER_FORMAT ")",
                    c + v, c, v);
        }
        fputc('\n', out);
    }
    if (any)
        fputc('\n', out);
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
    grade_section(out, report);
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
    network_section(out, report);
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
        if (s.verdict != EH_PASS && !eh_grade_not_served(s.json))
            problem_section(out, &s);
    return EH_OK;
}
