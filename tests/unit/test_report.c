/* test_report.c - the report writers, write_all, summary and diff.
 *
 * A small report document is built in code: one scenario of each verdict,
 * with output holding markup, quotes, control bytes and non-ASCII text, and
 * each writer's output is checked for the property that matters to its
 * reader: JSON round-trips, HTML and Markdown escape what came from programs
 * under test, and JUnit validates against the project's schema
 * (reports/schema/junit.xsd), which rejects a wrong element or attribute.
 * The schema tests need xmllint: they are the part "junit_schema"
 * (`test_report junit_schema`, CTest's unit/test_report_junit_schema),
 * skipped as a whole without it. Where EH_EXTRA_JUNIT_XSD names another
 * schema file (such as the Jenkins xUnit plugin's junit-10.xsd), junit.xml
 * must validate against that one too.
 */
#include "report.h"
#include "unit.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes from "programs under test": markup, quotes, control bytes, UTF-8. */
#define HOSTILE                                                                                    \
    "<script>alert('x')</script> & \"q\" \x01\x1b[31mred\x1b[0m caf\xc3\xa9 \xe2\x9c\x93"

static json_t *role(const char *kind, const char *out, const char *err, json_t *exit)
{
    return json_pack("{s:s, s:[s, s, s], s:o, s:i, s:s, s:i, s:s, s:i, s:[{s:i, s:s, s:i, "
                     "s:i, s:s}, {s:i, s:s, s:i, s:i, s:s}]}",
                     "kind", kind, "argv", "echo-server", "--port", "65432", "exit", exit,
                     "runtime_ms", 12, "stdout", out, "stdout_bytes", (int)strlen(out), "stderr",
                     err, "stderr_bytes", (int)strlen(err), "events", "t_us", 5120, "call",
                     "accept", "fd", 3, "ret", 4, "raddr", "127.0.0.1:40312", "t_us", 5301, "call",
                     "recv", "fd", 4, "ret", 8, "data", "3c7363726970743e" /* "<script>" */);
}

static json_t *check_obj(const char *verdict, const char *reason)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "expect", "$.expect[0]", "kind", "exit", "who",
                     "server", "verdict", verdict, "reason", reason);
}

static json_t *scenario(const char *name, const char *verdict, const char *reason, json_t *checks)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:{s:o, s:o}, s:o}", "name", name, "file",
        "scenarios/x.json", "description", "Shows " HOSTILE, "kind", "conformance", "verdict",
        verdict, "reason", reason, "duration_ms", 120, "roles", "server",
        role("reference", "out " HOSTILE "\n", "err " HOSTILE, json_pack("{s:i}", "code", 0)),
        "client",
        role("scripted", "", "", json_pack("{s:s, s:i}", "signal", "SIGPIPE", "signo", 13)),
        "checks", checks);
}

/* PASS, FAIL (two problem checks), ERROR, TIMEOUT, SKIP, summarized. */
static json_t *sample_report(void)
{
    json_t *report = json_pack(
        "{s:s, s:s, s:s, s:i, s:f, s:s, s:s, s:[o, o, o, o, o]}", "tool", "echoharness", "version",
        "0.1.0", "started", "2026-11-26T14:32:48Z", "duration_ms", 1234, "timeout_scale", 1.0,
        "isolation", "namespaces", "command", "echoharness run " HOSTILE, "scenarios",
        scenario("basic-echo", "PASS", "",
                 json_pack("[o]", check_obj("PASS", "expected 0, got 0"))),
        scenario("half-close", "FAIL", "expected a | b, got `c`\nsecond line " HOSTILE,
                 json_pack("[o, o, o]", check_obj("PASS", "fine"),
                           check_obj("FAIL", "expected exit code 0, got killed by SIGPIPE"),
                           check_obj("FAIL", "expected | " HOSTILE))),
        scenario("no-namespace", "ERROR", "unshare: EPERM " HOSTILE, json_array()),
        scenario("slow-server", "TIMEOUT", "deadline of 10000 ms passed", json_array()),
        scenario("ipv6-echo", "SKIP", "IPv6 is not available", json_array()));
    ck_assert_ptr_nonnull(report);
    eh_report_summarize(report);
    return report;
}

/* Output as the runner stores it (json_stringn_nocheck()): not valid UTF-8,
 * with a NUL, DEL and a vertical tab. */
static const char raw_output[] = "bad \xff\xfe \xc3( \xed\xa0\x80 \x7f \x0b \0 end";

static void set_raw_stderr(json_t *report)
{
    json_t *server = json_object_get(
        json_object_get(json_array_get(json_object_get(report, "scenarios"), 1), "roles"),
        "server");
    json_object_set_new(server, "stderr", json_stringn_nocheck(raw_output, sizeof(raw_output) - 1));
}

/* Runs one writer into memory. Caller frees. */
static char *render(eh_status (*write)(const json_t *, FILE *, struct eh_error *),
                    const json_t *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    struct eh_error err = {0};
    ck_assert_int_eq(write(report, f, &err), EH_OK);
    fclose(f);
    return buf;
}

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/test_report_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static size_t count(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

START_TEST(test_summarize_counts_each_verdict)
{
    json_t *report = sample_report();
    const json_t *summary = json_object_get(report, "summary");
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "total")), 5);
    for (int v = 0; v < EH_VERDICT_COUNT; v++)
        ck_assert_int_eq(
            json_integer_value(json_object_get(summary, eh_verdict_name((enum eh_verdict)v))), 1);
    json_decref(report);
}
END_TEST

START_TEST(test_json_round_trips)
{
    json_t *report = sample_report();
    char *text = render(eh__write_json, report);
    json_error_t jerr;
    json_t *back = json_loads(text, 0, &jerr);
    ck_assert_msg(back != NULL, "%d:%d: %s", jerr.line, jerr.column, jerr.text);
    ck_assert(json_equal(report, back));
    ck_assert_ptr_nonnull(strstr(text, "\n  \"tool\": \"echoharness\",\n  \"version\""));
    json_decref(back);
    json_decref(report);
    free(text);
}
END_TEST

START_TEST(test_json_writes_invalid_utf8_output_as_escaped_text)
{
    json_t *report = sample_report();
    set_raw_stderr(report);
    char *text = render(eh__write_json, report);
    json_t *back = json_loads(text, JSON_ALLOW_NUL, NULL);
    ck_assert_ptr_nonnull(back);
    ck_assert_ptr_nonnull(strstr(text, "\"bad \\\\xFF\\\\xFE \\\\xC3( \\\\xED\\\\xA0\\\\x80 \x7f "
                                       "\\u000B \\u0000 end\""));
    json_decref(back);
    json_decref(report);
    free(text);
}
END_TEST

/* The project's JUnit schema, in the source tree (EH_SOURCE_DIR). */
static const char *junit_xsd(void)
{
    static char path[4096];
    const char *src = getenv("EH_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/reports/schema/junit.xsd", src ? src : ".");
    return path;
}

/* Validates xml against the schema file xsd with xmllint. Returns NULL when
 * it validates, else xmllint's messages (cut to about 1000 bytes, which
 * libcheck can show). Caller frees. */
static char *xsd_errors(const char *xml, const char *xsd)
{
    ck_assert_msg(access(xsd, R_OK) == 0, "schema %s: %s", xsd, strerror(errno));
    char *path = write_temp(xml);
    char cmd[8400];
    snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s' 2>'%s.log'", xsd, path, path);
    char *messages = NULL;
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof(cmd), "%s.log", path);
        FILE *log = fopen(cmd, "r");
        size_t cap = 0;
        if (log == NULL || getdelim(&messages, &cap, '\0', log) < 0)
            messages = strdup("xmllint failed");
        if (log)
            fclose(log);
        if (strlen(messages) > 1000)
            strcpy(messages + 990, "...");
    }
    snprintf(cmd, sizeof(cmd), "%s.log", path);
    unlink(cmd);
    unlink(path);
    free(path);
    return messages;
}

/* junit.xml written from report validates against the project's schema and
 * against EH_EXTRA_JUNIT_XSD where that is set. */
static void assert_junit_valid(const json_t *report)
{
    char *xml = render(eh__write_junit, report);
    const char *schemas[] = {junit_xsd(), getenv("EH_EXTRA_JUNIT_XSD")};
    for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
        if (schemas[i] == NULL || schemas[i][0] == '\0')
            continue;
        char *messages = xsd_errors(xml, schemas[i]);
        ck_assert_msg(messages == NULL, "junit.xml does not validate against %s: %s", schemas[i],
                      messages);
    }
    free(xml);
}

START_TEST(test_junit_validates_against_schema)
{
    json_t *report = sample_report();
    assert_junit_valid(report);
    json_decref(report);
}
END_TEST

START_TEST(test_junit_validates_with_invalid_utf8_in_output)
{
    json_t *report = sample_report();
    set_raw_stderr(report);
    assert_junit_valid(report);
    json_decref(report);
}
END_TEST

/* junit.xml of the sample report with one thing wrong: the first `from`
 * becomes `to`; xmllint must reject it, saying `complaint`. */
struct bad_junit {
    const char *name;
    const char *from, *to;
    const char *complaint;
};

static const struct bad_junit BAD_JUNIT[] = {
    {"an unknown element", "<skipped message=", "<skip message=", "Element 'skip'"},
    {"an unknown attribute", "<testcase classname=", "<testcase flaky=\"true\" classname=",
     "attribute 'flaky': The attribute 'flaky' is not allowed"},
    {"a testcase without a name", " name=\"half-close\"", "",
     "The attribute 'name' is required but missing"},
    {"a failure of another type", "<failure type=\"FAIL\"", "<failure type=\"BROKEN\"", "'BROKEN'"},
    {"an error typed as a failure", "<error type=\"ERROR\"", "<error type=\"FAIL\"",
     "Element 'error', attribute 'type'"},
    {"a time that is not seconds", " time=\"1.234\"", " time=\"1,234\"", "'1,234'"},
    {"a negative count", " tests=\"5\"", " tests=\"-5\"", "'-5'"},
    {"an unknown property", "<property name=\"version\"", "<property name=\"hostname\"",
     "'hostname'"},
    {"a testcase before the properties", "  <properties>",
     "  <testcase classname=\"echoharness\" name=\"x\" time=\"0.001\"/>\n  <properties>",
     "Element 'testcase': This element is not expected. Expected is ( properties )"},
};

START_TEST(test_junit_schema_rejects_malformed_output)
{
    const struct bad_junit *k = &BAD_JUNIT[_i];
    json_t *report = sample_report();
    char *xml = render(eh__write_junit, report);
    char *at = strstr(xml, k->from);
    ck_assert_msg(at != NULL, "row %d \"%s\": no %s in junit.xml", _i, k->name, k->from);
    size_t head = (size_t)(at - xml), from_len = strlen(k->from), to_len = strlen(k->to);
    char *bad = malloc(strlen(xml) - from_len + to_len + 1);
    memcpy(bad, xml, head);
    memcpy(bad + head, k->to, to_len);
    strcpy(bad + head + to_len, at + from_len);
    char *messages = xsd_errors(bad, junit_xsd());
    ck_assert_msg(messages != NULL, "row %d \"%s\": the schema accepted it", _i, k->name);
    ck_assert_msg(strstr(messages, k->complaint) != NULL,
                  "row %d \"%s\": expected xmllint to say \"%s\", got: %s", _i, k->name,
                  k->complaint, messages);
    free(messages);
    free(bad);
    free(xml);
    json_decref(report);
}
END_TEST

START_TEST(test_junit_counts_match_summary)
{
    json_t *report = sample_report();
    char *xml = render(eh__write_junit, report);
    ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"echoharness\" tests=\"5\" failures=\"1\" "
                                      "errors=\"2\" skipped=\"1\" time=\"1.234\""));
    ck_assert_uint_eq(count(xml, "<testcase "), 5);
    ck_assert_uint_eq(count(xml, "<failure "), 1);
    ck_assert_uint_eq(count(xml, "<error "), 2);
    ck_assert_uint_eq(count(xml, "<skipped "), 1);
    ck_assert_ptr_nonnull(strstr(xml, "classname=\"echoharness.conformance\" name=\"half-close\""));
    json_decref(report);
    free(xml);
}
END_TEST

START_TEST(test_junit_failure_lists_each_failed_check)
{
    json_t *report = sample_report();
    char *xml = render(eh__write_junit, report);
    ck_assert_ptr_nonnull(strstr(
        xml, "FAIL exit (server) at $.expect[0]: expected exit code 0, got killed by SIGPIPE\n"
             "FAIL exit (server) at $.expect[0]: expected | &lt;script&gt;"));
    ck_assert_ptr_null(strstr(xml, "fine\n"));
    json_decref(report);
    free(xml);
}
END_TEST

START_TEST(test_junit_replaces_control_bytes_with_visible_text)
{
    json_t *report = sample_report();
    char *xml = render(eh__write_junit, report);
    ck_assert_ptr_null(strchr(xml, '\x01'));
    ck_assert_ptr_null(strchr(xml, '\x1b'));
    ck_assert_ptr_nonnull(strstr(xml, "\\x01\\x1B[31mred"));
    ck_assert_ptr_nonnull(strstr(xml, "caf\xc3\xa9 \xe2\x9c\x93"));
    json_decref(report);
    free(xml);
}
END_TEST

START_TEST(test_junit_escapes_the_exit_text)
{
    /* how a role ended can hold text from the command line (a launch error
     * naming the program) */
    json_t *report = sample_report();
    json_t *server = json_object_get(
        json_object_get(json_array_get(json_object_get(report, "scenarios"), 1), "roles"),
        "server");
    json_object_set_new(server, "exit",
                        json_pack("{s:s}", "not_started", "cannot run 'a<b>&c': ENOENT"));
    char *xml = render(eh__write_junit, report);
    ck_assert_ptr_null(strstr(xml, "a<b>&c"));
    ck_assert_ptr_nonnull(
        strstr(xml, "not started: cannot run &#39;a&lt;b&gt;&amp;c&#39;: ENOENT"));
    json_decref(report);
    free(xml);
}
END_TEST

START_TEST(test_html_escapes_markup_from_data)
{
    json_t *report = sample_report();
    char *html = render(eh__write_html, report);
    ck_assert_uint_eq(count(html, "<script"), 1); /* the page's own, last */
    ck_assert_ptr_nonnull(strstr(html, "<script>(function(){var f=document.getElementById("));
    ck_assert_ptr_null(strcasestr(html, "alert('"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                                       "&quot;q&quot; \\x01\\x1B[31mred"));
    ck_assert_ptr_null(strchr(html, '\x01'));
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_is_self_contained)
{
    json_t *report = sample_report();
    char *html = render(eh__write_html, report);
    ck_assert_ptr_null(strstr(html, "<link"));
    ck_assert_ptr_null(strstr(html, "src="));
    ck_assert_ptr_null(strstr(html, "http:"));
    ck_assert_ptr_null(strstr(html, "https:"));
    ck_assert_ptr_null(strstr(html, "url(http"));
    ck_assert_ptr_nonnull(strstr(html, "<style>"));
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_shows_counts_events_and_pcap_link)
{
    json_t *report = sample_report();
    json_object_set_new(json_array_get(json_object_get(report, "scenarios"), 0), "pcap",
                        json_string("pcap/basic-echo.pcap"));
    char *html = render(eh__write_html, report);
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"v FAIL\">1 FAIL</span>"));
    ck_assert_ptr_nonnull(strstr(html, "<td>recv</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"data\">&lt;script&gt;</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<a href=\"pcap/basic-echo.pcap\">"));
    ck_assert_uint_eq(count(html, "<details id="), 5);
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_size_is_bounded_for_huge_event_logs)
{
    /* 2000 events of 1 KiB each and one event whose "data" is 4 MiB that is
     * not hex (a garbled log): the page shows 500 events and 256 bytes of
     * each, whatever the log holds. */
    json_t *report = sample_report();
    json_t *events = json_object_get(
        json_object_get(
            json_object_get(json_array_get(json_object_get(report, "scenarios"), 0), "roles"),
            "server"),
        "events");
    size_t big = 4u << 20;
    char *junk = malloc(big + 1), *hex = malloc(2048 + 1);
    memset(junk, 'z', big);
    junk[big] = '\0';
    memset(hex, 'a', 2048);
    hex[2048] = '\0';
    json_array_insert_new(events, 0,
                          json_pack("{s:s, s:i, s:s}", "call", "recv", "ret", 1, "data", junk));
    for (int i = 0; i < 2000; i++)
        json_array_append_new(
            events, json_pack("{s:s, s:i, s:s}", "call", "send", "ret", 1024, "data", hex));
    char *html = render(eh__write_html, report);
    ck_assert_msg(strlen(html) < (2u << 20), "report.html is %zu bytes", strlen(html));
    ck_assert_ptr_nonnull(strstr(html, "1503 more events are in report.json"));
    ck_assert_ptr_nonnull(strstr(html, "+4193792 characters"));
    json_decref(report);
    free(html);
    free(junk);
    free(hex);
}
END_TEST

/* The summary.md table row of the half-close scenario. */
static char *md_row(const char *md, const char *name)
{
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "\n| %s |", name);
    const char *row = strstr(md, prefix);
    ck_assert_ptr_nonnull(row);
    return strndup(row + 1, strcspn(row + 1, "\n"));
}

START_TEST(test_md_table_escapes_pipe_newline_and_backtick)
{
    json_t *report = sample_report();
    char *md = render(eh__write_md, report);
    char *row = md_row(md, "half-close");
    size_t unescaped = 0;
    for (size_t i = 0; row[i]; i++)
        unescaped += row[i] == '|' && (i == 0 || row[i - 1] != '\\');
    ck_assert_uint_eq(unescaped, 4);
    ck_assert_ptr_nonnull(strstr(row, "expected a \\| b, got \\`c\\`<br>second line &lt;script"));
    free(row);
    json_decref(report);
    free(md);
}
END_TEST

START_TEST(test_md_has_a_section_per_scenario_that_did_not_pass)
{
    json_t *report = sample_report();
    char *md = render(eh__write_md, report);
    /* the headline counts failures as `run`'s exit status does: not SKIP */
    ck_assert_ptr_nonnull(strstr(md, "# echoharness: 3 of 5 scenarios failed\n"));
    /* the grade, then one section per scenario that did not pass */
    ck_assert_uint_eq(count(md, "\n## "), 5);
    ck_assert_ptr_nonnull(strstr(md, "\n## Grade: 1 of 4 rules that apply passed"));
    ck_assert_ptr_null(strstr(md, "## PASS"));
    ck_assert_ptr_nonnull(strstr(md, "- **FAIL** exit (server) at $.expect\\[0\\]: expected exit "
                                     "code 0, got killed by SIGPIPE\n"));
    json_decref(report);
    free(md);
}
END_TEST

/* A report of the given verdicts, one scenario each, summarized. */
static json_t *report_of(const char *const *verdict_names)
{
    json_t *scenarios = json_array();
    char name[32];
    for (size_t i = 0; verdict_names[i]; i++) {
        snprintf(name, sizeof(name), "s%zu", i);
        json_array_append_new(scenarios, scenario(name, verdict_names[i],
                                                  strcmp(verdict_names[i], "PASS") ? "why" : "",
                                                  json_array()));
    }
    json_t *report = json_pack("{s:s, s:o}", "tool", "echoharness", "scenarios", scenarios);
    eh_report_summarize(report);
    return report;
}

/* The "# echoharness: ..." line of summary.md of a report of verdict_names. */
static char *md_headline(const char *const *verdict_names)
{
    json_t *report = report_of(verdict_names);
    char *md = render(eh__write_md, report);
    char *line = strndup(md, strcspn(md, "\n"));
    free(md);
    json_decref(report);
    return line;
}

START_TEST(test_md_headline_counts_skips_apart_from_failures)
{
    char *line = md_headline((const char *const[]){"PASS", "SKIP", "PASS", "SKIP", NULL});
    ck_assert_str_eq(line, "# echoharness: 2 passed, 2 skipped");
    free(line);
    line = md_headline((const char *const[]){"SKIP", "ERROR", "TIMEOUT", "PASS", NULL});
    ck_assert_str_eq(line, "# echoharness: 2 of 4 scenarios failed");
    free(line);
    line = md_headline((const char *const[]){"FAIL", NULL});
    ck_assert_str_eq(line, "# echoharness: 1 of 1 scenario failed");
    free(line);
}
END_TEST

START_TEST(test_md_headline_grammar_when_all_passed)
{
    char *line = md_headline((const char *const[]){"PASS", NULL});
    ck_assert_str_eq(line, "# echoharness: the 1 scenario passed");
    free(line);
    line = md_headline((const char *const[]){"PASS", "PASS", "PASS", "PASS", "PASS", NULL});
    ck_assert_str_eq(line, "# echoharness: all 5 scenarios passed");
    free(line);
    line = md_headline((const char *const[]){NULL});
    ck_assert_str_eq(line, "# echoharness: no scenarios ran");
    free(line);
}
END_TEST

START_TEST(test_md_skip_is_not_bold)
{
    json_t *report = sample_report();
    char *md = render(eh__write_md, report);
    char *row = md_row(md, "ipv6-echo");
    ck_assert_str_eq(row, "| ipv6-echo | SKIP | IPv6 is not available |");
    free(row);
    row = md_row(md, "slow-server");
    ck_assert_ptr_nonnull(strstr(row, "| **TIMEOUT** |"));
    free(row);
    ck_assert_ptr_nonnull(strstr(md, "5 scenarios: 1 PASS, 1 FAIL"));
    json_decref(report);
    free(md);
}
END_TEST

/* Sets the description of scenario i of report. */
static void set_description(json_t *report, size_t i, const char *description)
{
    json_object_set_new(json_array_get(json_object_get(report, "scenarios"), i), "description",
                        json_string(description));
}

START_TEST(test_md_description_keeps_code_spans_and_reason_stays_escaped)
{
    json_t *report = sample_report();
    set_description(report, 1, "On the wire: `C:F. S:P.1024 C:R` a|b *x* `<b>` lone `");
    char *md = render(eh__write_md, report);
    ck_assert_ptr_nonnull(
        strstr(md, "\n> On the wire: `C:F. S:P.1024 C:R` a\\|b \\*x\\* `<b>` lone \\`\n"));
    ck_assert_ptr_null(strstr(md, "\\`C:F."));
    ck_assert_ptr_nonnull(strstr(md, "\nexpected a \\| b, got \\`c\\`<br>second line"));
    json_decref(report);
    free(md);
}
END_TEST

START_TEST(test_html_renders_code_spans_in_description)
{
    json_t *report = sample_report();
    set_description(report, 1, "On the wire: `C:F. S:P.1024 C:R` & `<b>` lone ` ``");
    char *html = render(eh__write_html, report);
    ck_assert_ptr_nonnull(strstr(html, "<p>On the wire: <code>C:F. S:P.1024 C:R</code> &amp; "
                                       "<code>&lt;b&gt;</code> lone ` ``</p>"));
    /* a reason is not Markdown: its backticks stay as they are */
    ck_assert_ptr_nonnull(strstr(html, "expected a | b, got `c`"));
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_shows_wire_text_and_keeps_json_collapsed)
{
    json_t *report = sample_report();
    json_t *scenarios = json_object_get(report, "scenarios");
    json_t *wire = json_pack("{s:[{s:s}]}", "tcp", "close", "client-reset");
    json_object_set(json_array_get(scenarios, 0), "wire", wire);
    json_object_set_new(json_array_get(scenarios, 0), "wire_text",
                        json_string("conn 1  a -> b  12 B  close <client-reset>\n"));
    json_object_set_new(json_array_get(scenarios, 1), "wire", wire);
    char *html = render(eh__write_html, report);
    ck_assert_ptr_nonnull(strstr(html, "<pre class=\"wire\">conn 1  a -&gt; b  12 B  close "
                                       "&lt;client-reset&gt;\n</pre>\n"
                                       "<details><summary>Wire analysis as JSON</summary><pre>{"));
    /* without wire_text: the JSON alone, collapsed */
    ck_assert_uint_eq(count(html, "<details><summary>Wire analysis</summary><pre>{"), 1);
    ck_assert_uint_eq(count(html, "<pre class=\"wire\">"), 1);
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_wide_tables_scroll_and_time_does_not_wrap)
{
    json_t *report = sample_report();
    char *html = render(eh__write_html, report);
    ck_assert_ptr_nonnull(strstr(html, ".scroll{overflow-x:auto"));
    ck_assert_uint_eq(count(html, "<div class=\"scroll\"><table class=\"events\">"), 10);
    ck_assert_uint_eq(count(html, "<table"), count(html, "<div class=\"scroll\"><table"));
    ck_assert_uint_eq(count(html, "<td class=\"nowrap\">0.120&nbsp;s</td>"), 5);
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_headline_counts_failures_like_the_exit_status)
{
    json_t *report = sample_report();
    char *html = render(eh__write_html, report);
    ck_assert_ptr_nonnull(strstr(html, "<title>echoharness: 3 of 5 scenarios failed</title>"));
    ck_assert_ptr_nonnull(strstr(html, "<h1>echoharness: 3 of 5 scenarios failed</h1>"));
    json_decref(report);
    free(html);
    report = report_of((const char *const[]){"PASS", "SKIP", NULL});
    html = render(eh__write_html, report);
    ck_assert_ptr_nonnull(strstr(html, "<h1>echoharness: 1 passed, 1 skipped</h1>"));
    ck_assert_ptr_nonnull(strstr(html, "<b>2 scenarios:</b>"));
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_write_all_creates_directory_and_every_file)
{
    char base[] = "/tmp/test_report_dir_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(base));
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/a/b/latest", base);
    json_t *report = sample_report();
    struct eh_error err = {0};
    ck_assert_int_eq(eh_report_write_all(report, dir, &err), EH_OK);
    ck_assert_int_eq(eh_report_write_all(report, dir, &err), EH_OK); /* replaces */
    size_t n = 0;
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        bool known = false;
        for (const struct eh_report_writer *w = eh_report_writers; w->file; w++)
            known |= strcmp(e->d_name, w->file) == 0;
        ck_assert_msg(known, "unexpected file %s (a temporary left behind?)", e->d_name);
        n++;
    }
    closedir(d);
    ck_assert_uint_eq(n, 4);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
    ck_assert_int_eq(system(cmd), 0);
    json_decref(report);
}
END_TEST

START_TEST(test_write_all_names_an_unusable_directory)
{
    json_t *report = sample_report();
    struct eh_error err = {0};
    ck_assert_int_eq(eh_report_write_all(report, "/proc/version/reports", &err), EH_ERR);
    ck_assert_ptr_nonnull(strstr(err.msg, "/proc/version"));
    json_decref(report);
}
END_TEST

static json_t *verdicts(const char *const *pairs)
{
    json_t *scenarios = json_array();
    for (; pairs[0]; pairs += 2)
        json_array_append_new(scenarios, json_pack("{s:s, s:s, s:s}", "name", pairs[0], "verdict",
                                                   pairs[1], "reason", "because"));
    return json_pack("{s:o}", "scenarios", scenarios);
}

static const char *const old_pairs[] = {"a", "PASS", "b", "FAIL", "c", "PASS",
                                        "d", "FAIL", "e", "PASS", NULL};
static const char *const new_pairs[] = {"a", "FAIL", "b", "PASS", "e", "PASS", "f", "SKIP", NULL};

/* eh_report_diff() of two reports given as name/verdict pairs; its text in
 * *text (caller frees). Returns the number of regressions. */
static int diff_pairs(const char *const *old_p, const char *const *new_p, char **text)
{
    json_t *old_report = verdicts(old_p), *new_report = verdicts(new_p);
    size_t len = 0;
    FILE *f = open_memstream(text, &len);
    int n = eh_report_diff(old_report, new_report, f);
    fclose(f);
    json_decref(old_report);
    json_decref(new_report);
    return n;
}

START_TEST(test_diff_reports_regression_fix_new_and_not_run)
{
    /* Changed on purpose: a scenario missing from the new report (c was PASS)
     * is "not run", no longer a regression, and the totals count it. */
    char *text;
    ck_assert_int_eq(diff_pairs(old_pairs, new_pairs, &text), 1);
    ck_assert_str_eq(text, "REGRESSION a: PASS -> FAIL (because)\n"
                           "fixed b: FAIL -> PASS\n"
                           "new f: SKIP (because)\n"
                           "not run c (was PASS)\n"
                           "not run d (was FAIL)\n"
                           "1 regression, 1 fixed, 0 changed, 1 new, 0 skipped, 2 not run\n");
    free(text);
}
END_TEST

START_TEST(test_diff_skip_and_subset_are_not_regressions)
{
    /* a --filter run against a program under test: b is skipped, c not run */
    char *text;
    ck_assert_int_eq(diff_pairs((const char *const[]){"a", "PASS", "b", "PASS", "c", "PASS", NULL},
                                (const char *const[]){"a", "PASS", "b", "SKIP", NULL}, &text),
                     0);
    ck_assert_str_eq(text, "skipped b: PASS -> SKIP (because)\n"
                           "not run c (was PASS)\n"
                           "0 regressions, 0 fixed, 0 changed, 0 new, 1 skipped, 1 not run\n");
    free(text);
}
END_TEST

START_TEST(test_diff_fail_error_and_timeout_after_pass_are_regressions)
{
    char *text;
    ck_assert_int_eq(diff_pairs((const char *const[]){"a", "PASS", "b", "PASS", "c", "PASS", "d",
                                                      "FAIL", "e", "SKIP", "f", "FAIL", NULL},
                                (const char *const[]){"a", "FAIL", "b", "ERROR", "c", "TIMEOUT",
                                                      "d", "ERROR", "e", "PASS", "f", "SKIP", NULL},
                                &text),
                     3);
    ck_assert_str_eq(text, "REGRESSION a: PASS -> FAIL (because)\n"
                           "REGRESSION b: PASS -> ERROR (because)\n"
                           "REGRESSION c: PASS -> TIMEOUT (because)\n"
                           "fixed e: SKIP -> PASS\n"
                           "changed d: FAIL -> ERROR (because)\n"
                           "skipped f: FAIL -> SKIP (because)\n"
                           "3 regressions, 1 fixed, 1 changed, 0 new, 1 skipped, 0 not run\n");
    free(text);
}
END_TEST

START_TEST(test_diff_of_identical_reports_finds_nothing)
{
    json_t *report = verdicts(old_pairs);
    FILE *f = fopen("/dev/null", "w");
    ck_assert_int_eq(eh_report_diff(report, report, f), 0);
    fclose(f);
    json_decref(report);
}
END_TEST

/* eh_report_load() of a file holding text: its status, and the message in
 * msg (at most len bytes) when it fails. */
static eh_status load_text(const char *text, char **path, char *msg, size_t len)
{
    struct eh_error err = {0};
    json_t *report = (json_t *)&err;
    *path = write_temp(text);
    eh_status st = eh_report_load(*path, &report, &err);
    ck_assert(st == EH_OK ? report != NULL : report == NULL);
    snprintf(msg, len, "%s", err.msg);
    json_decref(report);
    return st;
}

START_TEST(test_report_load_names_the_file_and_the_place)
{
    static const struct {
        const char *text;
        const char *where; /* after "PATH" */
    } cases[] = {
        {"{\"scenarios\": [\n  {\"name\": \"a\",, }\n]}\n", ":2:"},
        {"{\"scenarios\": {}}", ": $.scenarios: expected an array of scenario results"},
        {"{\"scenarios\": [{\"verdict\": \"PASS\"}]}", ": $.scenarios[0].name: expected a string"},
        {"{\"scenarios\": [{\"name\": \"a\", \"verdict\": \"PASS\"}, {\"name\": \"b\", "
         "\"verdict\": \"GOOD\"}]}",
         ": $.scenarios[1].verdict: expected PASS, FAIL, ERROR, TIMEOUT or SKIP"},
    };
    char msg[1024], want[1024], *path;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_int_eq(load_text(cases[i].text, &path, msg, sizeof(msg)), EH_ERR);
        snprintf(want, sizeof(want), "%s%s", path, cases[i].where);
        ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "expected '%s...', got '%s'", want,
                      msg);
        unlink(path);
        free(path);
    }
    ck_assert_int_eq(load_text("{\"scenarios\": [{\"name\": \"a\", \"verdict\": \"SKIP\"}]}", &path,
                               msg, sizeof(msg)),
                     EH_OK);
    unlink(path);
    free(path);
    ck_assert_int_eq(load_text("{}", &path, msg, sizeof(msg)), EH_ERR);
    unlink(path);
    struct eh_error err = {0};
    json_t *report;
    ck_assert_int_eq(eh_report_load(path, &report, &err), EH_ERR); /* no longer there */
    ck_assert_ptr_null(report);
    ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0, "no file name in: %s", err.msg);
    free(path);
}
END_TEST

START_TEST(test_load_text_reads_what_load_reads)
{
    json_t *report = verdicts(old_pairs);
    char *text = json_dumps(report, JSON_INDENT(2));
    char *path = write_temp(text);
    struct eh_error err = {0};
    json_t *from_file, *from_text;
    ck_assert_msg(eh_report_load(path, &from_file, &err) == EH_OK, "%s", err.msg);
    ck_assert_msg(eh_report_load_text("mem.json", text, strlen(text), &from_text, &err) == EH_OK,
                  "%s", err.msg);
    ck_assert(json_equal(from_file, report) && json_equal(from_text, report));
    json_decref(from_file);
    json_decref(from_text);
    unlink(path);
    free(path);
    free(text);
    json_decref(report);
}
END_TEST

START_TEST(test_load_text_names_the_file_and_the_place)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", "mem.json:1:0: '[' or '{' expected near end of file"},
        {"{\"scenarios\": [\n  {\"name\": \"a\",, }\n]}",
         "mem.json:2:16: string or '}' expected near ','"},
        {"[]", "mem.json: $.scenarios: expected an array of scenario results"},
        {"{\"scenarios\": [{\"verdict\": \"PASS\"}]}",
         "mem.json: $.scenarios[0].name: expected a string"},
        {"{\"scenarios\": [{\"name\": \"a\", \"verdict\": \"pass\"}]}",
         "mem.json: $.scenarios[0].verdict: expected PASS, FAIL, ERROR, TIMEOUT or SKIP"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct eh_error err = {0};
        json_t *report = (json_t *)&err; /* must be reset to NULL */
        ck_assert_int_eq(
            eh_report_load_text("mem.json", cases[i].text, strlen(cases[i].text), &report, &err),
            EH_ERR);
        ck_assert_ptr_null(report);
        ck_assert_str_eq(err.msg, cases[i].msg);
    }
}
END_TEST

START_TEST(test_escape_replaces_invalid_utf8_and_controls)
{
    static const char in[] = "a\x01\xff<\xc3\xa9\r\n\xc2\x85";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    eh_escape(f, in, sizeof(in) - 1, EH_ESC_INLINE);
    fclose(f);
    ck_assert_str_eq(buf, "a\\x01\\xFF&lt;\xc3\xa9\\r\\n\\u0085");
    free(buf);
}
END_TEST

START_TEST(test_command_line_can_be_pasted_into_a_shell)
{
    json_t *argv = json_pack("[s,s,s,s,s,s]", "srv", "it's", "a;b", "$HOME", "", "plain-1.0:x");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    eh__escape_argv(f, argv, EH_ESC_TERM);
    fclose(f);
    ck_assert_str_eq(buf, "srv 'it'\\''s' 'a;b' '$HOME' '' plain-1.0:x");
    free(buf);
    json_decref(argv);
}
END_TEST

START_TEST(test_escape_ascii_keeps_no_byte_a_terminal_interprets)
{
    static const char in[] = "ok \"q\" \x1b[31m\xc3\xa9\x7f";
    char buf[64];
    eh_escape_buf(buf, sizeof(buf), in, sizeof(in) - 1, EH_ESC_ASCII);
    ck_assert_str_eq(buf, "ok \"q\" \\x1b[31m\\xc3\\xa9\\x7f");
    eh_escape_buf(buf, sizeof(buf), in, sizeof(in) - 1, EH_ESC_QUOTED);
    ck_assert_str_eq(buf, "ok \\x22q\\x22 \\x1b[31m\\xc3\\xa9\\x7f");
    /* Cut before an escape that does not fit, never inside it. */
    ck_assert_uint_eq(eh_escape_buf(buf, 6, "ab\x01", 3, EH_ESC_ASCII), 6);
    ck_assert_str_eq(buf, "ab");
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_add_test(tc, test_summarize_counts_each_verdict);
    tcase_add_test(tc, test_json_round_trips);
    tcase_add_test(tc, test_json_writes_invalid_utf8_output_as_escaped_text);
    tcase_add_test(tc, test_junit_counts_match_summary);
    tcase_add_test(tc, test_junit_failure_lists_each_failed_check);
    tcase_add_test(tc, test_junit_replaces_control_bytes_with_visible_text);
    tcase_add_test(tc, test_junit_escapes_the_exit_text);
    tcase_add_test(tc, test_html_escapes_markup_from_data);
    tcase_add_test(tc, test_html_is_self_contained);
    tcase_add_test(tc, test_html_shows_counts_events_and_pcap_link);
    tcase_add_test(tc, test_html_size_is_bounded_for_huge_event_logs);
    tcase_add_test(tc, test_md_table_escapes_pipe_newline_and_backtick);
    tcase_add_test(tc, test_md_has_a_section_per_scenario_that_did_not_pass);
    tcase_add_test(tc, test_md_headline_counts_skips_apart_from_failures);
    tcase_add_test(tc, test_md_headline_grammar_when_all_passed);
    tcase_add_test(tc, test_md_skip_is_not_bold);
    tcase_add_test(tc, test_md_description_keeps_code_spans_and_reason_stays_escaped);
    tcase_add_test(tc, test_html_renders_code_spans_in_description);
    tcase_add_test(tc, test_html_shows_wire_text_and_keeps_json_collapsed);
    tcase_add_test(tc, test_html_wide_tables_scroll_and_time_does_not_wrap);
    tcase_add_test(tc, test_html_headline_counts_failures_like_the_exit_status);
    tcase_add_test(tc, test_write_all_creates_directory_and_every_file);
    tcase_add_test(tc, test_write_all_names_an_unusable_directory);
    tcase_add_test(tc, test_diff_reports_regression_fix_new_and_not_run);
    tcase_add_test(tc, test_diff_skip_and_subset_are_not_regressions);
    tcase_add_test(tc, test_diff_fail_error_and_timeout_after_pass_are_regressions);
    tcase_add_test(tc, test_diff_of_identical_reports_finds_nothing);
    tcase_add_test(tc, test_report_load_names_the_file_and_the_place);
    tcase_add_test(tc, test_load_text_reads_what_load_reads);
    tcase_add_test(tc, test_load_text_names_the_file_and_the_place);
    tcase_add_test(tc, test_escape_replaces_invalid_utf8_and_controls);
    tcase_add_test(tc, test_command_line_can_be_pasted_into_a_shell);
    tcase_add_test(tc, test_escape_ascii_keeps_no_byte_a_terminal_interprets);
    suite_add_tcase(s, tc);
    return s;
}

/* The part "junit_schema": junit.xml against reports/schema/junit.xsd. */
static Suite *junit_schema_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("junit_schema");
    tcase_add_test(tc, test_junit_validates_against_schema);
    tcase_add_test(tc, test_junit_validates_with_invalid_utf8_in_output);
    tcase_add_loop_test(tc, test_junit_schema_rejects_malformed_output, 0,
                        (int)(sizeof(BAD_JUNIT) / sizeof(BAD_JUNIT[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    const char *part = eh_test_part(argc, argv, (const char *const[]){"junit_schema", NULL});
    if (strcmp(part, "junit_schema") != 0)
        return eh_test_run(report_suite(), CK_FORK_GETENV);
    if (system("xmllint --version >/dev/null 2>&1") != 0)
        return eh_test_skip("xmllint not installed (Debian package libxml2-utils)");
    return eh_test_run(junit_schema_suite(), CK_FORK_GETENV);
}
