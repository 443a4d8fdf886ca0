/* test_timeline.c - events tied to connections, logs placed on the wire's axis.
 *
 * The wire and the logs are JSON, as in report.json: a client that connects,
 * sends 12 bytes and closes, and a server that accepts, echoes, and whose
 * second send fails with EPIPE after the client's RST:
 *   C:S S:S. C:. C:P.12 S:. S:P.12 C:F. S:P.1024 C:R
 */
#include "timeline.h"

#include <check.h>
#include <stdlib.h>

static const char wire_text[] =
    "{\"tcp\": [{\"client\": \"127.0.0.1:40000\", \"server\": \"127.0.0.1:65432\","
    " \"segments\": {\"total\": 9, \"omitted\": 0, \"last\": [], \"first\": ["
    "{\"t_us\": 0, \"from\": \"client\", \"flags\": \"S\", \"seq\": 0, \"len\": 0},"
    "{\"t_us\": 10, \"from\": \"server\", \"flags\": \"S.\", \"seq\": 0, \"len\": 0},"
    "{\"t_us\": 20, \"from\": \"client\", \"flags\": \".\", \"seq\": 0, \"len\": 0},"
    "{\"t_us\": 100, \"from\": \"client\", \"flags\": \"P.\", \"seq\": 0, \"len\": 12},"
    "{\"t_us\": 110, \"from\": \"server\", \"flags\": \".\", \"seq\": 0, \"len\": 0},"
    "{\"t_us\": 130, \"from\": \"server\", \"flags\": \"P.\", \"seq\": 0, \"len\": 12},"
    "{\"t_us\": 150, \"from\": \"client\", \"flags\": \"F.\", \"seq\": 12, \"len\": 0},"
    "{\"t_us\": 270, \"from\": \"server\", \"flags\": \"P.\", \"seq\": 12, \"len\": 1024},"
    "{\"t_us\": 280, \"from\": \"client\", \"flags\": \"R\", \"seq\": 13, \"len\": 0}]}}],"
    " \"udp\": []}";

/* The server's log; its zero is at -1000 on the wire's axis. */
static const char server_text[] =
    "[{\"t_us\": 100, \"call\": \"socket\", \"ret\": 5},"
    "{\"t_us\": 110, \"call\": \"listen\", \"fd\": 5, \"ret\": 0},"
    "{\"t_us\": 1025, \"call\": \"accept\", \"fd\": 5, \"ret\": 3,"
    " \"raddr\": \"127.0.0.1:40000\", \"elapsed_us\": 900},"
    "{\"t_us\": 1105, \"call\": \"recv\", \"fd\": 3, \"ret\": 12, \"elapsed_us\": 60},"
    "{\"t_us\": 1135, \"call\": \"send\", \"fd\": 3, \"ret\": 12, \"elapsed_us\": 6},"
    "{\"t_us\": 1275, \"call\": \"send\", \"fd\": 3, \"ret\": 1024, \"elapsed_us\": 6},"
    "{\"t_us\": 1285, \"call\": \"send\", \"fd\": 3, \"ret\": -1, \"errno\": \"EPIPE\"},"
    "{\"t_us\": 1290, \"call\": \"close\", \"fd\": 3, \"ret\": 0},"
    "{\"t_us\": 1295, \"call\": \"close\", \"fd\": 5, \"ret\": 0}]";

/* The client's log: a socket whose connection is known from connect's laddr. */
static const char client_text[] =
    "[{\"t_us\": 50, \"call\": \"socket\", \"ret\": 4},"
    "{\"t_us\": 72, \"call\": \"connect\", \"fd\": 4, \"ret\": 0,"
    " \"laddr\": \"127.0.0.1:40000\", \"raddr\": \"127.0.0.1:65432\", \"elapsed_us\": 25},"
    "{\"t_us\": 90, \"call\": \"exit\", \"status\": 0}]";

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    ck_assert_msg(j != NULL, "%s", e.text);
    return j;
}

START_TEST(test_timeline_ties_events_to_the_connection_of_their_socket)
{
    json_t *wire = parse(wire_text), *server = parse(server_text), *client = parse(client_text);
    int *s = eh_timeline_assign(server, wire, EH_SERVER);
    static const int want_s[] = {-1, -1, 0, 0, 0, 0, 0, 0, -1};
    for (size_t i = 0; i < json_array_size(server); i++)
        ck_assert_int_eq(s[i], want_s[i]);
    int *c = eh_timeline_assign(client, wire, EH_CLIENT);
    static const int want_c[] = {0, 0, -1}; /* socket() is tied back once connect names it */
    for (size_t i = 0; i < json_array_size(client); i++)
        ck_assert_int_eq(c[i], want_c[i]);
    free(s);
    free(c);
    json_decref(wire);
    json_decref(server);
    json_decref(client);
}
END_TEST

START_TEST(test_timeline_narrows_the_zero_with_the_packets)
{
    json_t *wire = parse(wire_text), *server = parse(server_text);
    int64_t lo = -3000, hi = 0, best; /* the harness's bounds */
    size_t n = eh_timeline_refine(server, wire, EH_SERVER, &lo, &hi, &best);
    /* accept returned after the handshake's ACK at 20: Z >= 20 - 1025 - 2;
     * the 12-byte send began (1129) before its segment at 130: Z <= 130 - 1129 + 2;
     * EPIPE (1285) after the RST at 280: Z >= 280 - 1285 - 2. */
    ck_assert_uint_ge(n, 4);
    ck_assert_int_eq(lo, 280 - 1285 - 2);
    ck_assert_int_eq(hi, 130 - 1129 + 2);
    ck_assert_int_le(lo, -1000);
    ck_assert_int_ge(hi, -1000);
    ck_assert_int_eq(best, lo + (hi - lo) / 2); /* bounded from both sides */
    json_decref(wire);
    json_decref(server);
}
END_TEST

START_TEST(test_timeline_keeps_its_bounds_when_anchors_contradict_them)
{
    json_t *wire = parse(wire_text), *server = parse(server_text);
    int64_t lo = 5000, hi = 6000, best; /* no zero there is consistent with the packets */
    ck_assert_uint_eq(eh_timeline_refine(server, wire, EH_SERVER, &lo, &hi, &best), 0);
    ck_assert_int_eq(lo, 5000);
    ck_assert_int_eq(hi, 6000);
    ck_assert_int_eq(best, 5500);
    json_t *none = json_array();
    ck_assert_uint_eq(eh_timeline_refine(none, wire, EH_SERVER, &lo, &hi, &best), 0);
    ck_assert_ptr_null(eh_timeline_assign(none, wire, EH_SERVER));
    json_decref(none);
    json_decref(wire);
    json_decref(server);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("timeline");
    TCase *tc = tcase_create("timeline");
    tcase_add_test(tc, test_timeline_ties_events_to_the_connection_of_their_socket);
    tcase_add_test(tc, test_timeline_narrows_the_zero_with_the_packets);
    tcase_add_test(tc, test_timeline_keeps_its_bounds_when_anchors_contradict_them);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
