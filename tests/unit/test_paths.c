/* test_paths.c - unit tests for the default scenario and program lookup (paths.h).
 *
 * Each test lays out an install prefix or a build tree in a temporary folder
 * (with the relative paths the build compiled in), runs from a folder without
 * scenarios/, and checks which folder is chosen, in the order paths.h gives.
 */
#include "eh.h"
#include "paths.h"

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[PATH_MAX];

/* A fresh temporary folder in root, and the current directory in an empty
 * folder below it. */
static void setup(void)
{
    snprintf(root, sizeof(root), "%s/eh-paths.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
    char cwd[PATH_MAX + 8];
    snprintf(cwd, sizeof(cwd), "%s/cwd", root);
    ck_assert_int_eq(mkdir(cwd, 0755), 0);
    ck_assert_int_eq(chdir(cwd), 0);
}

static void teardown(void)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}

/* root/a/b..., created with its parents; returns the path in buf. */
static const char *make_dir(char *buf, size_t len, const char *a, const char *b)
{
    struct eh_error err = {0};
    snprintf(buf, len, "%s/%s%s%s", root, a, b ? "/" : "", b ? b : "");
    ck_assert_msg(eh_mkdir_p(buf, &err) == EH_OK, "%s", err.msg);
    return buf;
}

/* An executable (or not) file named name in dir. */
static void make_file(const char *dir, const char *name, mode_t mode)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(chmod(path, mode), 0);
}

/* The canonical form of p. */
static const char *real(const char *p, char *buf)
{
    ck_assert_msg(realpath(p, buf) != NULL, "realpath %s", p);
    return buf;
}

START_TEST(test_paths_install_layout)
{
    char bin[PATH_MAX], sc[PATH_MAX], progs[PATH_MAX], got[PATH_MAX], want[PATH_MAX];
    make_dir(bin, sizeof(bin), "prefix/bin", NULL);
    make_dir(sc, sizeof(sc), "prefix/bin", EH_REL_SCENARIOS_INSTALL);
    make_dir(progs, sizeof(progs), "prefix/bin", EH_REL_PROGRAMS_INSTALL);
    make_file(progs, "echo-server", 0755);
    ck_assert(eh_paths_scenarios(bin, got, sizeof(got)));
    ck_assert_str_eq(got, real(sc, want));
    ck_assert(eh_paths_programs(bin, got, sizeof(got)));
    ck_assert_str_eq(got, real(progs, want));
}
END_TEST

START_TEST(test_paths_install_before_build_tree)
{
    /* An install whose prefix happens to have the build tree's relative
     * scenarios folder too: the install's own scenarios win. */
    char bin[PATH_MAX], sc[PATH_MAX], other[PATH_MAX], got[PATH_MAX], want[PATH_MAX];
    make_dir(bin, sizeof(bin), "prefix/bin", NULL);
    make_dir(sc, sizeof(sc), "prefix/bin", EH_REL_SCENARIOS_INSTALL);
    make_dir(other, sizeof(other), "prefix/bin", EH_REL_SCENARIOS_BUILD);
    ck_assert(eh_paths_scenarios(bin, got, sizeof(got)));
    ck_assert_str_eq(got, real(sc, want));
}
END_TEST

START_TEST(test_paths_current_directory_first)
{
    char bin[PATH_MAX], here[PATH_MAX], got[PATH_MAX];
    make_dir(bin, sizeof(bin), "prefix/bin", EH_REL_SCENARIOS_INSTALL);
    make_dir(bin, sizeof(bin), "prefix/bin", NULL);
    make_dir(here, sizeof(here), "cwd/scenarios", NULL);
    ck_assert(eh_paths_scenarios(bin, got, sizeof(got)));
    ck_assert_str_eq(got, "scenarios");
}
END_TEST

START_TEST(test_paths_none_names_the_places)
{
    char bin[PATH_MAX], got[PATH_MAX];
    make_dir(bin, sizeof(bin), "lonely/bin", NULL);
    ck_assert(!eh_paths_scenarios(bin, got, sizeof(got)));
    ck_assert_msg(strstr(got, "./scenarios, ") == got, "%s", got);
    ck_assert_msg(strstr(got, EH_REL_SCENARIOS_INSTALL) != NULL, "%s", got);
    ck_assert_msg(strstr(got, EH_REL_SCENARIOS_BUILD) != NULL, "%s", got);
}
END_TEST

START_TEST(test_paths_programs_beside_the_executable)
{
    char bin[PATH_MAX], got[PATH_MAX], want[PATH_MAX];
    make_dir(bin, sizeof(bin), "build/bin", NULL);
    make_file(bin, "echo-server", 0755);
    ck_assert(eh_paths_programs(bin, got, sizeof(got)));
    ck_assert_str_eq(got, real(bin, want));
}
END_TEST

START_TEST(test_paths_programs_need_an_executable_server)
{
    /* A libexec folder whose echo-server cannot run is not chosen; with no
     * echo-server anywhere the executable's folder is the answer. */
    char bin[PATH_MAX], progs[PATH_MAX], got[PATH_MAX];
    make_dir(bin, sizeof(bin), "prefix/bin", NULL);
    make_dir(progs, sizeof(progs), "prefix/bin", EH_REL_PROGRAMS_INSTALL);
    make_file(progs, "echo-server", 0644);
    ck_assert(eh_paths_programs(bin, got, sizeof(got)));
    ck_assert_str_eq(got, bin);
}
END_TEST

START_TEST(test_paths_this_build_tree)
{
    /* The build this test belongs to: its bin folder finds the source
     * tree's scenarios and holds the reference builds. */
    const char *src = getenv("EH_SOURCE_DIR"), *bin = getenv("EH_BIN_DIR");
    ck_assert_msg(src && bin, "CTest sets EH_SOURCE_DIR and EH_BIN_DIR");
    char sc[PATH_MAX], got[PATH_MAX], want[PATH_MAX];
    snprintf(sc, sizeof(sc), "%s/scenarios", src);
    ck_assert(eh_paths_scenarios(bin, got, sizeof(got)));
    ck_assert_str_eq(got, real(sc, want));
    ck_assert(eh_paths_programs(bin, got, sizeof(got)));
    ck_assert_str_eq(got, real(bin, want));
}
END_TEST

START_TEST(test_paths_exe_dir)
{
    char dir[PATH_MAX], exe[PATH_MAX];
    ck_assert(eh_paths_exe_dir(dir, sizeof(dir)));
    ck_assert(realpath("/proc/self/exe", exe) != NULL);
    size_t n = strlen(dir);
    ck_assert_msg(strncmp(exe, dir, n) == 0 && exe[n] == '/' && strchr(exe + n + 1, '/') == NULL,
                  "%s is not the folder of %s", dir, exe);
    ck_assert(!eh_paths_exe_dir(dir, 4));
}
END_TEST

static Suite *paths_suite(void)
{
    Suite *s = suite_create("paths");
    TCase *tc = tcase_create("lookup");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_paths_install_layout);
    tcase_add_test(tc, test_paths_install_before_build_tree);
    tcase_add_test(tc, test_paths_current_directory_first);
    tcase_add_test(tc, test_paths_none_names_the_places);
    tcase_add_test(tc, test_paths_programs_beside_the_executable);
    tcase_add_test(tc, test_paths_programs_need_an_executable_server);
    tcase_add_test(tc, test_paths_this_build_tree);
    tcase_add_test(tc, test_paths_exe_dir);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(paths_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
