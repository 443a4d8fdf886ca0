/* test_report_merge.c - unit tests for shards, merging and the index model.
 *
 * FNV-1a 64 against its published test vectors, the shard of a pair, the
 * report of one implementation out of an index, diff's matching by
 * implementation/name and its counts of changes, and eh_report_merge()'s
 * refusals, each naming the file.
 */
#include "report.h"
#include "unit.h"

#include <check.h>
#include <string.h>

/* A report of the pairs "impl/name:VERDICT" in a selection of all of them,
 * shard k of n (n 0: none). */
static json_t *make_report(const char *const *results, size_t count, unsigned k, unsigned n)
{
    json_t *report = json_pack("{s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:[]}", "tool", "echoharness",
                               "schema_version", EH_REPORT_SCHEMA_VERSION, "version", "1.0",
                               "started", "2026-01-01T00:00:00Z", "duration_ms", 10, "isolation",
                               "namespaces", "layout", "index", "implementations");
    json_t *pairs = json_array(), *scenarios = json_array(), *seen = json_object();
    for (size_t i = 0; i < count; i++) {
        char impl[64], name[64], verdict[16];
        ck_assert_int_eq(sscanf(results[i], "%63[^/]/%63[^:]:%15s", impl, name, verdict), 3);
        json_array_append_new(pairs, json_pack("s++", impl, "/", name));
        if (!json_object_get(seen, impl)) {
            json_object_set_new(seen, impl, json_true());
            json_array_append_new(json_object_get(report, "implementations"),
                                  json_pack("{s:s}", "name", impl));
        }
        if (n == 0 || eh_report_shard_of(impl, name, n) == k)
            json_array_append_new(scenarios,
                                  json_pack("{s:s, s:s, s:s, s:s}", "implementation", impl, "name",
                                            name, "verdict", verdict, "reason", ""));
    }
    json_object_set_new(report, "selection",
                        json_pack("{s:s, s:o}", "hash", "0123456789abcdef", "pairs", pairs));
    if (n > 0)
        json_object_set_new(report, "shard", json_pack("{s:i, s:[i]}", "of", n, "parts", k));
    json_object_set_new(report, "scenarios", scenarios);
    eh_report_summarize(report);
    json_decref(seen);
    return report;
}

static const char *const RESULTS[] = {"a/one:PASS", "a/two:FAIL", "a/three:PASS",
                                      "b/one:PASS", "b/two:PASS", "b/three:ERROR"};
#define N_RESULTS (sizeof(RESULTS) / sizeof(RESULTS[0]))

START_TEST(test_fnv1a64_test_vectors)
{
    ck_assert_uint_eq(eh_report_fnv1a64(EH_FNV1A64_INIT, "", 0), 0xcbf29ce484222325ULL);
    ck_assert_uint_eq(eh_report_fnv1a64(EH_FNV1A64_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
    ck_assert_uint_eq(eh_report_fnv1a64(EH_FNV1A64_INIT, "foobar", 6), 0x85944171f73967e8ULL);
}
END_TEST

START_TEST(test_shard_of_hashes_the_pair_name)
{
    uint64_t h = eh_report_fnv1a64(EH_FNV1A64_INIT, "a/one", 5);
    for (unsigned n = 1; n <= 7; n++)
        ck_assert_uint_eq(eh_report_shard_of("a", "one", n), (unsigned)(h % n) + 1);
}
END_TEST

START_TEST(test_for_implementation_keeps_its_results)
{
    json_t *report = make_report(RESULTS, N_RESULTS, 0, 0);
    json_t *b = eh_report_for_implementation(report, "b");
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(json_string_value(json_object_get(b, "layout")), "single");
    ck_assert_int_eq(json_array_size(json_object_get(b, "scenarios")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(b, "summary"), "ERROR")),
                     1);
    ck_assert_str_eq(eh__report_name(b), "b");
    ck_assert_ptr_null(eh_report_for_implementation(report, "c"));
    json_decref(b);
    json_decref(report);
}
END_TEST

START_TEST(test_diff_matches_by_implementation_and_counts_changes)
{
    static const char *const now[] = {"a/one:PASS", "a/two:PASS",    "a/three:FAIL", "b/one:SKIP",
                                      "b/two:PASS", "b/three:ERROR", "b/four:FAIL"};
    json_t *old = make_report(RESULTS, N_RESULTS, 0, 0);
    json_t *new = make_report(now, sizeof(now) / sizeof(now[0]), 0, 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct eh_report_diff_counts c;
    ck_assert_int_eq(eh_report_diff_count(old, new, f, &c), 1);
    fclose(f);
    ck_assert_msg(strncmp(text, "REGRESSION a/three: PASS -> FAIL\n", 33) == 0, "%s", text);
    ck_assert_uint_eq(c.fixed, 1);
    ck_assert_uint_eq(c.skipped, 1);
    ck_assert_uint_eq(c.added, 1);
    ck_assert_uint_eq(c.added_failing, 1);
    ck_assert_uint_eq(c.changes, 4); /* a/three, a/two, b/one, b/four */
    free(text);
    json_decref(old);
    json_decref(new);
}
END_TEST

START_TEST(test_merge_of_three_shards_is_the_whole_run)
{
    json_t *whole = make_report(RESULTS, N_RESULTS, 0, 0);
    json_t *parts[3];
    const char *paths[] = {"s1.json", "s2.json", "s3.json"};
    for (unsigned k = 1; k <= 3; k++)
        parts[k - 1] = make_report(RESULTS, N_RESULTS, k, 3);
    json_t *merged = NULL;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_report_merge(parts, paths, 3, "echoharness merge", &merged, &err), EH_OK);
    json_t *a = json_object_get(whole, "scenarios"), *b = json_object_get(merged, "scenarios");
    ck_assert_int_eq(json_array_size(b), N_RESULTS);
    for (size_t i = 0; i < N_RESULTS; i++)
        ck_assert(json_equal(json_array_get(a, i), json_array_get(b, i)));
    ck_assert(json_equal(json_object_get(whole, "summary"), json_object_get(merged, "summary")));
    char missing[32];
    ck_assert_uint_eq(eh_report_missing_shards(merged, missing, sizeof(missing)), 0);
    json_decref(merged);
    ck_assert_int_eq(eh_report_merge(parts, paths, 2, "m", &merged, &err), EH_OK);
    ck_assert_uint_eq(eh_report_missing_shards(merged, missing, sizeof(missing)), 1);
    ck_assert_str_eq(missing, "3");
    json_decref(merged);
    for (unsigned k = 0; k < 3; k++)
        json_decref(parts[k]);
    json_decref(whole);
}
END_TEST

/* Part 1 of three spoiled by the statement; the error names s2.json. */
static void check_refused(void (*spoil)(json_t *), const char *want)
{
    json_t *parts[2] = {make_report(RESULTS, N_RESULTS, 1, 3),
                        make_report(RESULTS, N_RESULTS, 2, 3)};
    const char *paths[] = {"s1.json", "s2.json"};
    spoil(parts[1]);
    json_t *merged = NULL;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_report_merge(parts, paths, 2, "m", &merged, &err), EH_ERR);
    ck_assert_ptr_null(merged);
    ck_assert_msg(strstr(err.msg, want) == err.msg, "expected '%s...', got '%s'", want, err.msg);
    json_decref(parts[0]);
    json_decref(parts[1]);
}

static void other_hash(json_t *r)
{
    json_object_set_new(json_object_get(r, "selection"), "hash", json_string("ffffffffffffffff"));
}
static void other_version(json_t *r)
{
    json_object_set_new(r, "version", json_string("2.0"));
}
static void other_count(json_t *r)
{
    json_object_set_new(json_object_get(r, "shard"), "of", json_integer(4));
}
static void same_shard(json_t *r)
{
    json_object_set_new(json_object_get(r, "shard"), "parts", json_pack("[i]", 1));
}
static void old_schema(json_t *r)
{
    json_object_set_new(r, "schema_version", json_integer(1));
}

START_TEST(test_merge_refuses_naming_the_file)
{
    check_refused(other_hash, "s2.json: another selection than s1.json");
    check_refused(other_version, "s2.json: written by echoharness 2.0, but s1.json by 1.0");
    check_refused(other_count, "s2.json: a run in 4 shards, but s1.json in 3");
    check_refused(same_shard, "s2.json: shard 1/3 is also in s1.json");
    char want[64];
    snprintf(want, sizeof(want), "s2.json: $.schema_version: expected %d, got 1",
             EH_REPORT_SCHEMA_VERSION);
    check_refused(old_schema, want);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report_merge");
    TCase *tc = tcase_create("merge");
    tcase_add_test(tc, test_fnv1a64_test_vectors);
    tcase_add_test(tc, test_shard_of_hashes_the_pair_name);
    tcase_add_test(tc, test_for_implementation_keeps_its_results);
    tcase_add_test(tc, test_diff_matches_by_implementation_and_counts_changes);
    tcase_add_test(tc, test_merge_of_three_shards_is_the_whole_run);
    tcase_add_test(tc, test_merge_refuses_naming_the_file);
    suite_add_tcase(s, tc);
    return eh_test_run(s, CK_FORK_GETENV);
}
