/* test_template.c - unit tests for command template splitting (template.h).
 *
 * Each test splits one template and compares the argv word by word, or checks
 * the exact error message with its column.
 */
#include "template.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const struct eh_template_var vars[] = {
    {"host", "127.0.0.1"},
    {"port", "65432"},
    {"name", "two words"},
};
#define N_VARS (sizeof(vars) / sizeof(vars[0]))

/* Splits tmpl and checks the words against the NULL-terminated want. */
static void check_split(const char *tmpl, const char *const *want)
{
    char **argv = NULL;
    struct eh_error err = {0};
    eh_status st = eh_template_split(tmpl, vars, N_VARS, &argv, &err);
    ck_assert_msg(st == EH_OK, "split <%s> failed: %s", tmpl, err.msg);
    size_t i = 0;
    for (; want[i] != NULL; i++) {
        ck_assert_msg(argv[i] != NULL, "<%s>: word %zu missing, want <%s>", tmpl, i, want[i]);
        ck_assert_str_eq(argv[i], want[i]);
    }
    ck_assert_msg(argv[i] == NULL, "<%s>: extra word <%s>", tmpl, argv[i]);
    eh_argv_free(argv);
}

/* Splits tmpl, expects EH_ERR with exactly the message want. */
static void check_error(const char *tmpl, const char *want)
{
    char **argv = (char **)1;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_template_split(tmpl, vars, N_VARS, &argv, &err), EH_ERR);
    ck_assert_ptr_null(argv);
    ck_assert(err.set);
    ck_assert_str_eq(err.msg, want);
}

START_TEST(test_template_plain_words)
{
    check_split("python3 srv.py", (const char *[]){"python3", "srv.py", NULL});
}
END_TEST

START_TEST(test_template_multiple_blanks_separate_once)
{
    check_split("  a \t b\n\nc  ", (const char *[]){"a", "b", "c", NULL});
}
END_TEST

START_TEST(test_template_single_quotes_keep_everything)
{
    check_split("echo 'a  b\\n \"c\" $x' d",
                (const char *[]){"echo", "a  b\\n \"c\" $x", "d", NULL});
}
END_TEST

START_TEST(test_template_double_quotes_escape_only_four)
{
    check_split("x \"a \\\"b\\\" \\\\ \\$ \\` \\n 'c'\"",
                (const char *[]){"x", "a \"b\" \\ $ ` \\n 'c'", NULL});
}
END_TEST

START_TEST(test_template_backslash_escapes_quote_and_blank)
{
    check_split("a\\'b c\\ d \\\"", (const char *[]){"a'b", "c d", "\"", NULL});
}
END_TEST

START_TEST(test_template_adjacent_quotes_join_one_word)
{
    check_split("a'b'\"c\"d '' \"\"", (const char *[]){"abcd", "", "", NULL});
}
END_TEST

START_TEST(test_template_placeholder_as_word)
{
    check_split("srv {host} {port}", (const char *[]){"srv", "127.0.0.1", "65432", NULL});
}
END_TEST

START_TEST(test_template_placeholder_inside_word)
{
    check_split("srv --port={port} --addr={host}:{port}",
                (const char *[]){"srv", "--port=65432", "--addr=127.0.0.1:65432", NULL});
}
END_TEST

START_TEST(test_template_placeholder_inside_quotes)
{
    check_split("srv '{host}' \"--p {port}\"",
                (const char *[]){"srv", "127.0.0.1", "--p 65432", NULL});
}
END_TEST

START_TEST(test_template_placeholder_value_is_not_split)
{
    check_split("srv {name}", (const char *[]){"srv", "two words", NULL});
}
END_TEST

START_TEST(test_template_double_braces_are_literal)
{
    check_split("awk '{{print $1}}' {{port}}",
                (const char *[]){"awk", "{print $1}", "{port}", NULL});
}
END_TEST

START_TEST(test_template_shell_metacharacters_stay_literal)
{
    check_split("a|b c;d e>f $HOME * `x` &",
                (const char *[]){"a|b", "c;d", "e>f", "$HOME", "*", "`x`", "&", NULL});
}
END_TEST

START_TEST(test_template_unknown_placeholder)
{
    check_error("srv --x={prot}", "command template: column 9: unknown placeholder {prot} (write "
                                  "{{ and }} for literal braces)");
}
END_TEST

START_TEST(test_template_unterminated_single_quote)
{
    check_error("srv 'abc", "command template: column 5: unterminated single quote");
}
END_TEST

START_TEST(test_template_unterminated_double_quote)
{
    check_error("srv a\"b\\\"", "command template: column 6: unterminated double quote");
}
END_TEST

START_TEST(test_template_unterminated_placeholder)
{
    check_error(
        "srv {port",
        "command template: column 5: unterminated placeholder (write {{ for a literal brace)");
}
END_TEST

START_TEST(test_template_unmatched_close_brace)
{
    check_error("srv a}",
                "command template: column 6: unmatched '}' (write }} for a literal brace)");
}
END_TEST

START_TEST(test_template_trailing_backslash)
{
    check_error("srv a\\", "command template: column 6: trailing backslash");
}
END_TEST

START_TEST(test_template_empty_command)
{
    check_error("", "command template: column 1: empty command");
    check_error(" \t ", "command template: column 1: empty command");
}
END_TEST

START_TEST(test_template_join_quotes_only_where_needed)
{
    char *line = eh_argv_join((char *const[]){"srv", "--port=1", "a b", "it's", "", NULL});
    ck_assert_str_eq(line, "srv --port=1 'a b' 'it'\\''s' ''");
    free(line);
}
END_TEST

START_TEST(test_template_join_round_trips)
{
    char *const words[] = {"prog",        "a b",       "it's", "",    "x\"y", "$HOME", "a|b",
                           "back\\slash", "tab\there", "'",    "\\'", "-n",   NULL};
    char *line = eh_argv_join(words);
    char **argv = NULL;
    struct eh_error err = {0};
    ck_assert_msg(eh_template_split(line, NULL, 0, &argv, &err) == EH_OK, "%s: %s", line, err.msg);
    size_t i = 0;
    for (; words[i] != NULL; i++) {
        ck_assert_ptr_nonnull(argv[i]);
        ck_assert_str_eq(argv[i], words[i]);
    }
    ck_assert_ptr_null(argv[i]);
    eh_argv_free(argv);
    free(line);
}
END_TEST

static Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("split");
    tcase_add_test(tc, test_template_plain_words);
    tcase_add_test(tc, test_template_multiple_blanks_separate_once);
    tcase_add_test(tc, test_template_single_quotes_keep_everything);
    tcase_add_test(tc, test_template_double_quotes_escape_only_four);
    tcase_add_test(tc, test_template_backslash_escapes_quote_and_blank);
    tcase_add_test(tc, test_template_adjacent_quotes_join_one_word);
    tcase_add_test(tc, test_template_placeholder_as_word);
    tcase_add_test(tc, test_template_placeholder_inside_word);
    tcase_add_test(tc, test_template_placeholder_inside_quotes);
    tcase_add_test(tc, test_template_placeholder_value_is_not_split);
    tcase_add_test(tc, test_template_double_braces_are_literal);
    tcase_add_test(tc, test_template_shell_metacharacters_stay_literal);
    tcase_add_test(tc, test_template_unknown_placeholder);
    tcase_add_test(tc, test_template_unterminated_single_quote);
    tcase_add_test(tc, test_template_unterminated_double_quote);
    tcase_add_test(tc, test_template_unterminated_placeholder);
    tcase_add_test(tc, test_template_unmatched_close_brace);
    tcase_add_test(tc, test_template_trailing_backslash);
    tcase_add_test(tc, test_template_empty_command);
    suite_add_tcase(s, tc);
    TCase *tj = tcase_create("join");
    tcase_add_test(tj, test_template_join_quotes_only_where_needed);
    tcase_add_test(tj, test_template_join_round_trips);
    suite_add_tcase(s, tj);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(template_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
