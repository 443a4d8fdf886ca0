/* test_report_html.c - report.html's drawings, filters and Content-Security-Policy.
 *
 * Reports are built in code: a scenario whose wire analysis has one TCP
 * connection (C:S S:S. C:. C:P.12 S:P.12 C:F. S:P.1024 C:R) and whose
 * server logged a send that failed with EPIPE, with the roles' clocks; a
 * long connection of which the analysis kept 250 of 20000 packets, with
 * 5000 socket calls; a UDP exchange; a --repeat distribution; and event
 * fields holding markup. Each test checks one property of the page.
 */
#include "report.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static char *render(const json_t *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    struct eh_error err = {0};
    ck_assert_int_eq(eh__write_html(report, f, &err), EH_OK);
    fclose(f);
    return buf;
}

static size_t count(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static json_t *seg(int t, const char *from, const char *flags, int seq, int len)
{
    return json_pack("{s:i, s:s, s:s, s:i, s:i, s:b}", "t_us", t, "from", from, "flags", flags,
                     "seq", seq, "len", len, "retransmission", 0);
}

static json_t *tcp_conn(json_t *first, json_t *last, int omitted, const char *close)
{
    int total = (int)(json_array_size(first) + json_array_size(last)) + omitted;
    return json_pack("{s:s, s:s, s:i, s:i, s:s, s:{s:s}, s:{s:i, s:i, s:o, s:o}}", "client",
                     "127.0.0.1:40000", "server", "127.0.0.1:65432", "start_us", 0, "end_us", 300,
                     "close", close, "echo", "verdict", "extra", "segments", "total", total,
                     "omitted", omitted, "first", first, "last", last);
}

static json_t *event(int t, const char *call, int fd, int ret, const char *err)
{
    json_t *e = json_pack("{s:i, s:s, s:i, s:i}", "t_us", t, "call", call, "fd", fd, "ret", ret);
    if (strcmp(call, "send") == 0 || strcmp(call, "recv") == 0)
        json_object_set_new(e, "size", json_integer(ret > 0 ? ret : 1024));
    if (err)
        json_object_set_new(e, "errno", json_string(err));
    return e;
}

/* A report of one scenario with this wire and these server events. */
static json_t *report_with(json_t *wire, json_t *server_events, json_t *client_events)
{
    json_t *roles = json_object();
    if (server_events)
        json_object_set_new(roles, "server",
                            json_pack("{s:s, s:{s:i}, s:o, s:{s:i, s:i, s:i}}", "kind", "reference",
                                      "exit", "code", 0, "events", server_events, "clock",
                                      "zero_us", -1000, "error_us", 9, "anchors", 5));
    if (client_events)
        json_object_set_new(roles, "client",
                            json_pack("{s:s, s:{s:i}, s:o, s:{s:i, s:i, s:i}}", "kind", "scripted",
                                      "exit", "code", 0, "events", client_events, "clock",
                                      "zero_us", -50, "error_us", 20, "anchors", 5));
    json_t *sc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:[s, s], s:[], s:o, s:o}", "name",
                           "broken-pipe", "file", "scenarios/x.json", "description", "d", "kind",
                           "behaviour", "verdict", "PASS", "reason", "", "duration_ms", 90, "tags",
                           "tcp", "broken-pipe", "checks", "roles", roles, "wire", wire);
    json_t *report =
        json_pack("{s:s, s:s, s:s, s:i, s:f, s:s, s:s, s:[o]}", "tool", "echoharness", "version",
                  "0.1.0", "started", "2026-11-26T14:32:48Z", "duration_ms", 100, "timeout_scale",
                  1.0, "isolation", "namespaces", "command", "echoharness run", "scenarios", sc);
    ck_assert_ptr_nonnull(report);
    eh_report_summarize(report);
    return report;
}

static json_t *broken_pipe_report(void)
{
    json_t *first = json_pack("[o, o, o, o, o, o, o, o]", seg(0, "client", "S", 0, 0),
                              seg(10, "server", "S.", 0, 0), seg(20, "client", ".", 0, 0),
                              seg(100, "client", "P.", 0, 12), seg(130, "server", "P.", 0, 12),
                              seg(150, "client", "F.", 12, 0), seg(270, "server", "P.", 12, 1024),
                              seg(280, "client", "R", 13, 0));
    json_t *wire =
        json_pack("{s:[o], s:[]}", "tcp", tcp_conn(first, json_array(), 0, "client-reset"), "udp");
    json_t *accept = json_pack("{s:i, s:s, s:i, s:i, s:s}", "t_us", 1025, "call", "accept", "fd", 5,
                               "ret", 3, "raddr", "127.0.0.1:40000");
    json_t *server =
        json_pack("[o, o, o, o]", accept, event(1135, "send", 3, 12, NULL),
                  event(1275, "send", 3, 1024, NULL), event(1285, "send", 3, -1, "EPIPE"));
    json_t *connect = json_pack("{s:i, s:s, s:i, s:i, s:s}", "t_us", 80, "call", "connect", "fd", 4,
                                "ret", 0, "laddr", "127.0.0.1:40000");
    return report_with(wire, server, json_pack("[o, o]", connect, event(200, "close", 4, 0, NULL)));
}

START_TEST(test_html_draws_a_ladder_per_connection_with_both_logs_on_its_axis)
{
    json_t *report = broken_pipe_report();
    char *html = render(report);
    ck_assert_uint_eq(count(html, "<svg class=\"ladder\""), 1);
    ck_assert_uint_eq(count(html, "<g class=\"pkt "), 8);
    ck_assert_uint_eq(count(html, "<g class=\"pkt rst\">"), 1);
    ck_assert_uint_eq(count(html, "<g class=\"pkt fin\">"), 1);
    ck_assert_ptr_nonnull(strstr(html, ">SYN-ACK</text>"));
    ck_assert_ptr_nonnull(strstr(html, ">1024 B, seq 12</text>"));
    /* the EPIPE (server t_us 1285, zero -1000) is drawn right after the RST (280) */
    const char *rst = strstr(html, "<g class=\"pkt rst\">");
    const char *epipe = strstr(html, "send(1024) = -1 EPIPE</text>");
    ck_assert_ptr_nonnull(epipe);
    ck_assert_ptr_nonnull(strstr(html, "<g class=\"ev err\"><title>server at +285 \xc2\xb5s"));
    ck_assert(rst < epipe);
    ck_assert_ptr_nonnull(strstr(html, "<b>close: client-reset</b>"));
    ck_assert_ptr_nonnull(strstr(html, "server's calls placed within &plusmn;9 &micro;s"));
    ck_assert_ptr_nonnull(strstr(html, "connect(127.0.0.1:40000) = 0</text>"));
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_ladder_of_a_long_connection_is_bounded_and_says_what_it_left_out)
{
    json_t *first = json_array(), *last = json_array(), *events = json_array();
    for (int i = 0; i < 200; i++)
        json_array_append_new(first,
                              seg(i * 10, i % 2 ? "server" : "client", "P.", i * 1000, 1000));
    for (int i = 0; i < 50; i++)
        json_array_append_new(last, seg(1000000 + i * 10, "client", ".", 0, 0));
    for (int i = 0; i < 5000; i++)
        json_array_append_new(events, event(1000 + i * 150, "recv", 3, 1000, NULL));
    json_t *wire =
        json_pack("{s:[o], s:[]}", "tcp", tcp_conn(first, last, 19750, "graceful"), "udp");
    json_t *report = report_with(wire, events, NULL);
    char *html = render(report);
    ck_assert_uint_eq(count(html, "<svg class=\"ladder\""), 1);
    size_t rows = count(html, "<g class=\"pkt ") + count(html, "<g class=\"ev");
    ck_assert_msg(rows <= 120, "%zu rows drawn", rows);
    ck_assert_ptr_nonnull(strstr(html, "socket calls not drawn, from "));
    ck_assert_ptr_nonnull(strstr(html, " (and 19750 the analysis did not keep) and "));
    ck_assert_msg(strlen(html) < (512u << 10), "report.html is %zu bytes", strlen(html));
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_draws_udp_as_requests_and_replies)
{
    json_t *first = json_pack("[{s:i, s:s, s:i}, {s:i, s:s, s:i}]", "t_us", 0, "from", "client",
                              "len", 12, "t_us", 90, "from", "server", "len", 12);
    json_t *udp = json_pack("{s:s, s:s, s:i, s:i, s:{s:i}, s:i, s:{s:s}, s:{s:i, s:i, s:o, s:[]}}",
                            "client", "127.0.0.1:40000", "server", "127.0.0.1:65432", "start_us", 0,
                            "end_us", 90, "c2s", "datagrams", 1, "pairs", 1, "echo", "verdict",
                            "exact", "datagrams", "total", 2, "omitted", 0, "first", first, "last");
    json_t *report = report_with(json_pack("{s:[], s:[o]}", "tcp", "udp", udp), NULL, NULL);
    char *html = render(report);
    ck_assert_uint_eq(count(html, "<g class=\"pkt udp\">"), 2);
    ck_assert_ptr_nonnull(strstr(html, ">request 12 B</text>"));
    ck_assert_ptr_nonnull(strstr(html, ">reply 12 B</text>"));
    ck_assert_ptr_nonnull(strstr(html, "UDP exchange 1 of 1"));
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_ladder_escapes_event_fields)
{
    json_t *report = broken_pipe_report();
    json_t *sc = json_array_get(json_object_get(report, "scenarios"), 0);
    json_t *events =
        json_object_get(json_object_get(json_object_get(sc, "roles"), "server"), "events");
    json_array_append_new(events, json_pack("{s:i, s:s, s:i, s:i, s:s}", "t_us", 1290, "call",
                                            "<script>alert(1)</script>\x1b[2J", "fd", 3, "ret", -1,
                                            "errno", "\"><svg onload=alert(2)>"));
    char *html = render(report);
    ck_assert_uint_eq(count(html, "<script"), 1);
    ck_assert_ptr_null(strstr(html, "<svg onload"));
    ck_assert_ptr_null(strchr(html, '\x1b'));
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;\\x1B[2J(3)"));
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_histograms_for_repeat)
{
    json_t *report = broken_pipe_report();
    json_t *sc = json_array_get(json_object_get(report, "scenarios"), 0);
    json_object_set_new(sc, "repeat",
                        json_pack("{s:i, s:{s:i}, s:{s:{s:i, s:i}}, s:[]}", "runs", 20, "verdicts",
                                  "PASS", 20, "distribution", "wire_close", "client-reset", 15,
                                  "client-abort", 5, "runs_detail"));
    char *html = render(report);
    ck_assert_uint_eq(count(html, "<svg class=\"histogram\""), 1);
    ck_assert_ptr_nonnull(strstr(html, "<h3>Outcomes over 20 runs</h3>"));
    ck_assert_ptr_nonnull(strstr(html, "<rect x=\"158\" y=\"4\" width=\"300\""));
    ck_assert_ptr_nonnull(strstr(html, "<rect x=\"158\" y=\"24\" width=\"100\""));
    ck_assert_ptr_nonnull(strstr(html, ">15 (75%)</text>"));
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_html_filters_by_verdict_and_tag)
{
    json_t *report = broken_pipe_report();
    char *html = render(report);
    ck_assert_ptr_nonnull(strstr(html, "<tr data-verdict=\"PASS\" data-tags=\"tcp broken-pipe\">"));
    ck_assert_ptr_nonnull(strstr(html, "<details id=\"s0\" data-verdict=\"PASS\" data-tags=\"tcp "
                                       "broken-pipe\">"));
    ck_assert_ptr_nonnull(strstr(html, "<option value=\"broken-pipe\">broken-pipe</option>"));
    ck_assert_ptr_nonnull(strstr(html, "<form id=\"filters\" hidden>"));
    json_decref(report);
    free(html);
}
END_TEST

START_TEST(test_sha256_matches_fips_180_vectors)
{
    uint8_t d[32];
    eh__sha256("abc", 3, d);
    ck_assert_uint_eq(d[0], 0xba);
    ck_assert_uint_eq(d[31], 0xad);
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    eh__sha256(two_blocks, strlen(two_blocks), d);
    ck_assert_uint_eq(d[0], 0x24);
    ck_assert_uint_eq(d[31], 0xc1);
    char h[EH__CSP_HASH_LEN];
    eh__csp_hash("", h); /* SHA-256 of nothing, base64 */
    ck_assert_str_eq(h, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}
END_TEST

/* The text between open and close after from, copied. */
static char *between(const char *from, const char *open, const char *close)
{
    const char *a = strstr(from, open);
    ck_assert_ptr_nonnull(a);
    a += strlen(open);
    const char *b = strstr(a, close);
    ck_assert_ptr_nonnull(b);
    return strndup(a, (size_t)(b - a));
}

START_TEST(test_html_policy_allows_only_its_own_style_and_script)
{
    json_t *report = broken_pipe_report();
    char *html = render(report);
    char *style = between(html, "<style>", "</style>");
    char *script = between(html, "<script>", "</script>");
    char *policy = between(html, "http-equiv=\"Content-Security-Policy\" content=\"", "\"");
    char hs[EH__CSP_HASH_LEN], hj[EH__CSP_HASH_LEN], want[512];
    eh__csp_hash(style, hs);
    eh__csp_hash(script, hj);
    snprintf(want, sizeof(want),
             "default-src 'none'; style-src '%s'; script-src '%s'; img-src data:; "
             "base-uri 'none'; form-action 'none'",
             hs, hj);
    ck_assert_str_eq(policy, want);
    ck_assert_ptr_null(strstr(html, " style=\""));
    ck_assert_ptr_null(strstr(html, " onload="));
    ck_assert_ptr_null(strstr(html, " onclick="));
    free(style);
    free(script);
    free(policy);
    json_decref(report);
    free(html);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report_html");
    TCase *tc = tcase_create("report_html");
    tcase_add_test(tc, test_html_draws_a_ladder_per_connection_with_both_logs_on_its_axis);
    tcase_add_test(tc, test_html_ladder_of_a_long_connection_is_bounded_and_says_what_it_left_out);
    tcase_add_test(tc, test_html_draws_udp_as_requests_and_replies);
    tcase_add_test(tc, test_html_ladder_escapes_event_fields);
    tcase_add_test(tc, test_html_histograms_for_repeat);
    tcase_add_test(tc, test_html_filters_by_verdict_and_tag);
    tcase_add_test(tc, test_sha256_matches_fips_180_vectors);
    tcase_add_test(tc, test_html_policy_allows_only_its_own_style_and_script);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
