/* test_analyze_golden.c - every tests/data/.../input.pcap against its expected.json.
 *
 * Each directory below tests/data that holds an input.pcap is one golden case
 * (crafted ones from tests/data/make-crafted.py, real captures beside them).
 * The test runs eh_analyze_file() on it and compares eh_analysis_to_json()
 * with expected.json (json_equal). On a mismatch it prints the first
 * differing JSON path and both documents with sorted keys, ready for diff.
 * To accept a deliberate change, run tests/data/regen-golden.sh.
 */
#include "analyze.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CASES 256

static char *cases[MAX_CASES]; /* directories, relative to the source dir */
static int n_cases;

static void find_cases(const char *dir, int depth)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof(path), "%s/input.pcap", dir);
    if (stat(path, &st) == 0 && n_cases < MAX_CASES) {
        cases[n_cases++] = strdup(dir);
        return;
    }
    DIR *d = depth < 3 ? opendir(dir) : NULL;
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            find_cases(path, depth + 1);
    }
    closedir(d);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Writes the JSON path of the first difference between a and b into buf. */
static bool first_diff(const json_t *a, const json_t *b, char *buf, size_t len)
{
    if (json_equal(a, b))
        return false;
    size_t used = strlen(buf);
    if (json_is_object(a) && json_is_object(b)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v)
        {
            snprintf(buf + used, len - used, ".%s", k);
            if (first_diff(v, json_object_get(b, k), buf, len))
                return true;
        }
        json_object_foreach((json_t *)b, k, v)
        {
            snprintf(buf + used, len - used, ".%s", k);
            if (json_object_get(a, k) == NULL)
                return true;
        }
        buf[used] = '\0';
        return true;
    }
    if (json_is_array(a) && json_is_array(b)) {
        size_t n =
            json_array_size(a) > json_array_size(b) ? json_array_size(a) : json_array_size(b);
        for (size_t i = 0; i < n; i++) {
            snprintf(buf + used, len - used, "[%zu]", i);
            const json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
            if (x == NULL || y == NULL || first_diff(x, y, buf, len))
                return true;
        }
        buf[used] = '\0';
    }
    return true;
}

START_TEST(test_golden_case_matches_expected_json)
{
    const char *dir = cases[_i];
    char pcap[1024], expected_path[1024], where[512] = "$";
    snprintf(pcap, sizeof(pcap), "%s/input.pcap", dir);
    snprintf(expected_path, sizeof(expected_path), "%s/expected.json", dir);

    struct eh_error err = {0};
    struct eh_analysis *a = NULL;
    ck_assert_msg(eh_analyze_file(pcap, &a, &err) == EH_OK, "%s", err.msg);
    json_t *got = eh_analysis_to_json(a);
    json_error_t jerr;
    json_t *want = json_load_file(expected_path, 0, &jerr);
    ck_assert_msg(want != NULL, "%s:%d:%d: %s (run tests/data/regen-golden.sh for a new case)",
                  expected_path, jerr.line, jerr.column, jerr.text);
    if (!json_equal(got, want)) {
        first_diff(want, got, where, sizeof(where));
        fprintf(stderr, "--- %s (expected)\n", expected_path);
        json_dumpf(want, stderr, JSON_INDENT(2) | JSON_SORT_KEYS);
        fprintf(stderr, "\n+++ %s (got)\n", pcap);
        json_dumpf(got, stderr, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', stderr);
    }
    ck_assert_msg(json_equal(got, want), "%s: analysis differs from expected.json first at %s", dir,
                  where);
    json_decref(got);
    json_decref(want);
    eh_analysis_free(a);
}
END_TEST

START_TEST(test_streamed_json_is_the_dump_of_the_tree)
{
    const char *dir = cases[_i];
    char pcap[1024];
    snprintf(pcap, sizeof(pcap), "%s/input.pcap", dir);
    struct eh_error err = {0};
    struct eh_analysis *a = NULL;
    ck_assert_msg(eh_analyze_file(pcap, &a, &err) == EH_OK, "%s", err.msg);
    json_t *tree = eh_analysis_to_json(a);
    char *want = json_dumps(tree, JSON_INDENT(2) | JSON_SORT_KEYS), *got = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&got, &len);
    eh_analysis_write_json(a, out);
    fclose(out);
    ck_assert_msg(strcmp(got, want) == 0, "%s: streamed JSON differs:\n%s\n---\n%s", dir, got,
                  want);
    free(got);
    free(want);
    json_decref(tree);
    eh_analysis_free(a);
}
END_TEST

START_TEST(test_golden_cases_exist)
{
    ck_assert_msg(n_cases > 0, "no tests/data/*/input.pcap found (EH_SOURCE_DIR unset?)");
}
END_TEST

int main(void)
{
    const char *src = getenv("EH_SOURCE_DIR");
    if (src != NULL && chdir(src) != 0) {
        perror(src);
        return 1;
    }
    find_cases("tests/data", 0);
    qsort(cases, (size_t)n_cases, sizeof(*cases), by_name);

    Suite *s = suite_create("analyze_golden");
    TCase *tc = tcase_create("golden");
    tcase_add_test(tc, test_golden_cases_exist);
    tcase_add_loop_test(tc, test_golden_case_matches_expected_json, 0, n_cases);
    tcase_add_loop_test(tc, test_streamed_json_is_the_dump_of_the_tree, 0, n_cases);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    for (int i = 0; i < n_cases; i++)
        free(cases[i]);
    return failed == 0 ? 0 : 1;
}
