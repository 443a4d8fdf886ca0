/* unit.h - what the unit test programs share: running a suite, and skipping
 * (and unit_json.h, for those that use jansson, readable JSON fixtures).
 *
 * A test whose premise the machine may lack (namespaces, an IPv6 loopback,
 * xmllint) must not pass by returning early. Such tests live in a suite of
 * their own, a "part" that the program runs when given the part's name as
 * its argument; CMakeLists.txt registers each part as a CTest test of its
 * own (unit/test_isolate_namespaces runs `test_isolate namespaces`). Before
 * running a part the program checks its premise, and where it is missing
 * prints one line saying why and exits with EH_TEST_SKIPPED, which CTest
 * shows as "Skipped" (SKIP_RETURN_CODE in CMakeLists.txt).
 */
#ifndef EH_TEST_UNIT_H
#define EH_TEST_UNIT_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EH_TEST_SKIPPED 77 /* CTest's SKIP_RETURN_CODE */

#define N_OF(a) (sizeof(a) / sizeof((a)[0])) /* the elements of an array */

/* Prints "SKIP: <why>" on stdout and returns EH_TEST_SKIPPED, for main(). */
static inline int eh_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline int eh_test_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("SKIP: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    return EH_TEST_SKIPPED;
}

/* Runs every test of s (fork as CK_FORK in the environment says, unless
 * fork is CK_FORK or CK_NOFORK) and returns main()'s exit status: 0 when
 * all passed, 1 otherwise. Frees the suite. */
static inline int eh_test_run(Suite *s, enum fork_status fork)
{
    SRunner *sr = srunner_create(s);
    if (fork != CK_FORK_GETENV)
        srunner_set_fork_status(sr, fork);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* For main(): the part named on the command line, "" when none. Exits with
 * status 2 and a usage line when there are more arguments, or the part is
 * not one of the NULL-terminated parts. */
static inline const char *eh_test_part(int argc, char **argv, const char *const *parts)
{
    if (argc <= 1)
        return "";
    for (const char *const *p = parts; argc == 2 && *p != NULL; p++)
        if (strcmp(argv[1], *p) == 0)
            return *p;
    fprintf(stderr, "usage: %s [", argv[0]);
    for (const char *const *p = parts; *p != NULL; p++)
        fprintf(stderr, "%s%s", p == parts ? "" : " | ", *p);
    fputs("]\n", stderr);
    exit(2);
}

#endif
