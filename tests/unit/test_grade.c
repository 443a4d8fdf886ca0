/* test_grade.c - unit tests of grade.c and the grade in summary.md.
 *
 * Reports are built here as report.json holds them: conformance scenarios
 * tagged tcp, udp, ipv6 or client, with the verdicts and the "not_served"
 * object the runner writes, and behaviour scenarios that are not graded.
 */
#include "grade.h"

#include "report.h"
#include "unit.h"

static json_t *result(const char *name, const char *kind, const char *tag, const char *verdict,
                      const char *reason, bool not_served)
{
    json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:[s, s], s:s, s:s, s:i, s:[]}", "name", name,
                          "file", "x.json", "description", "", "kind", kind, "tags", tag,
                          strcmp(tag, "ipv6") == 0 ? "tcp" : "ipv4", "verdict", verdict, "reason",
                          reason, "duration_ms", 1, "checks");
    if (not_served)
        json_object_set_new(r, "not_served",
                            json_pack("{s:s, s:s, s:b}", "needs", "udp/ipv4", "bound", "tcp/ipv4",
                                      "required", false));
    return r;
}

/* TCP: 2 pass, 1 fails; UDP: not served; IPv6: one error; client: one
 * skipped for another reason; one behaviour scenario. */
static json_t *graded_report(void)
{
    json_t *report = json_pack(
        "{s:s, s:[o, o, o, o, o, o, o], s:[s]}", "tool", "echoharness", "scenarios",
        result("basic-echo", "conformance", "tcp", "PASS", "all expectations met", false),
        result("large-stream", "conformance", "tcp", "PASS", "all expectations met", false),
        result("half-close", "conformance", "tcp", "FAIL",
               "the server never closed its side after the client closed", false),
        result("udp-echo", "conformance", "udp", "SKIP",
               "not served by this implementation (it bound tcp/ipv4 only)", true),
        result("ipv6-echo", "conformance", "ipv6", "ERROR", "the server listens elsewhere", false),
        result("client-lossy", "conformance", "client", "SKIP", "no netem here", false),
        result("recv1", "behaviour", "tcp", "PASS", "all expectations met", false),
        "not_applicable", "broken-pipe");
    ck_assert_ptr_nonnull(report);
    eh_report_summarize(report);
    return report;
}

START_TEST(test_grade_counts_rules_that_apply_per_group)
{
    json_t *report = graded_report();
    struct eh_grade g;
    eh_grade_of(report, &g);
    ck_assert_uint_eq(g.passed, 2);
    ck_assert_uint_eq(g.apply, 4);
    ck_assert_uint_eq(g.not_served, 1);
    ck_assert_uint_eq(g.not_judged, 1);
    ck_assert_uint_eq(g.behaviour, 1);
    ck_assert_uint_eq(g.groups[EH_GRADE_TCP].passed, 2);
    ck_assert_uint_eq(g.groups[EH_GRADE_TCP].apply, 3);
    ck_assert_uint_eq(g.groups[EH_GRADE_UDP].apply, 0);
    ck_assert_uint_eq(g.groups[EH_GRADE_UDP].not_served, 1);
    ck_assert_uint_eq(g.groups[EH_GRADE_IPV6].apply, 1);
    ck_assert_uint_eq(g.groups[EH_GRADE_CLIENT].not_judged, 1);
    char line[256];
    eh_grade_line(&g, line, sizeof(line));
    ck_assert_str_eq(line, "2 of 4 rules that apply passed (TCP 2 of 3, IPv6 0 of 1); 1 not served "
                           "by this implementation; 1 not judged here");
    json_decref(report);
}
END_TEST

START_TEST(test_grade_line_without_any_rule)
{
    struct eh_grade g = {0};
    char line[128];
    eh_grade_line(&g, line, sizeof(line));
    ck_assert_str_eq(line, "no conformance rule applied");
}
END_TEST

START_TEST(test_group_of_a_client_under_test_with_the_reference_server_is_client)
{
    json_t *r = result("x", "conformance", "tcp", "PASS", "", false);
    json_object_set_new(r, "roles",
                        json_pack("{s:{s:s}, s:{s:s}}", "server", "kind", "reference", "client",
                                  "kind", "under-test"));
    ck_assert_int_eq(eh_grade_group_of(r), EH_GRADE_CLIENT);
    ck_assert_str_eq(eh_grade_group_name(EH_GRADE_CLIENT), "client");
    json_decref(r);
}
END_TEST

static char *render_md(const json_t *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct eh_error err = {0};
    ck_assert_int_eq(eh__write_md(report, f, &err), EH_OK);
    fclose(f);
    return buf;
}

START_TEST(test_summary_md_reads_as_a_grade)
{
    json_t *report = graded_report();
    char *md = render_md(report);
    ck_assert_ptr_nonnull(strstr(md, "## Grade: 2 of 4 rules that apply passed (TCP 2 of 3, IPv6 "
                                     "0 of 1); 1 not served by this implementation; 1 not judged "
                                     "here\n"));
    ck_assert_ptr_nonnull(strstr(md, "| TCP | 2 | 3 | 0 | 0 |\n"));
    ck_assert_ptr_nonnull(strstr(md, "| UDP | 0 | 0 | 1 | 0 |\n"));
    ck_assert_ptr_nonnull(strstr(md, "- **FAIL** half-close (TCP): the server never closed its "
                                     "side after the client closed\n"));
    ck_assert_ptr_nonnull(strstr(md, "- **ERROR** ipv6-echo (IPv6): "));
    /* not served: listed apart, under its own heading, and given no problem section */
    char *apart = strstr(md, "Not served by this implementation");
    ck_assert_ptr_nonnull(apart);
    ck_assert_ptr_nonnull(strstr(apart, "- udp-echo (UDP): not served by this implementation"));
    ck_assert_ptr_null(strstr(md, "## SKIP: udp-echo"));
    ck_assert_ptr_nonnull(strstr(md, "Not judged here (not counted):\n\n- client-lossy (client): "
                                     "no netem here\n"));
    ck_assert_ptr_nonnull(strstr(md, "Not run: they judge no role the given command replaces: "
                                     "broken-pipe.\n"));
    free(md);
    json_decref(report);
}
END_TEST

START_TEST(test_summary_md_of_behaviour_only_has_no_grade)
{
    json_t *report = json_pack("{s:s, s:[o]}", "tool", "echoharness", "scenarios",
                               result("recv1", "behaviour", "tcp", "PASS", "", false));
    eh_report_summarize(report);
    char *md = render_md(report);
    ck_assert_ptr_null(strstr(md, "## Grade"));
    free(md);
    json_decref(report);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grade");
    TCase *t = tcase_create("grade");
    tcase_add_test(t, test_grade_counts_rules_that_apply_per_group);
    tcase_add_test(t, test_grade_line_without_any_rule);
    tcase_add_test(t, test_group_of_a_client_under_test_with_the_reference_server_is_client);
    tcase_add_test(t, test_summary_md_reads_as_a_grade);
    tcase_add_test(t, test_summary_md_of_behaviour_only_has_no_grade);
    suite_add_tcase(s, t);
    return eh_test_run(s, CK_FORK_GETENV);
}
