/* test_isolate_explain.c - unit tests for the messages of refused isolation.
 *
 * eh_isolate_explain() and eh_isolate_host_capture_ok() read sysctls and
 * /proc/self/status below a root they are given; these tests give them a
 * fake /proc tree in a temporary folder, one file per case, and check that
 * the message names the cause found (the sysctl and its value, or the
 * missing capability) and the fix (sudo, the sysctl to set, setcap).
 */
#include "isolate.h"
#include "unit.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root_dir[] = "/tmp/eh-fakeproc.XXXXXX";

/* Writes text into the fake tree at rel, making its folders. */
static void put_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
    for (char *p = path + strlen(root_dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(root_dir));
}

static void teardown(void)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root_dir);
    ck_assert_int_eq(system(cmd), 0);
    strcpy(root_dir, "/tmp/eh-fakeproc.XXXXXX");
}

static const char *explain(const char *step, int err_no, bool root)
{
    static char buf[1024];
    eh_isolate_explain(root_dir, step, err_no, root, buf, sizeof(buf));
    return buf;
}

START_TEST(test_explain_apparmor_restriction)
{
    put_file("sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
    put_file("sys/user/max_user_namespaces", "63704\n");
    ck_assert_str_eq(explain("unshare(CLONE_NEWNET|CLONE_NEWPID)", EPERM, false),
                     "unshare(CLONE_NEWNET|CLONE_NEWPID): EPERM: AppArmor restricts "
                     "unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns "
                     "= 1, as on Ubuntu 24.04 and GitHub's ubuntu-24.04 runners); fix: run "
                     "echoharness with sudo, or allow them: sudo sysctl -w "
                     "kernel.apparmor_restrict_unprivileged_userns=0");
}
END_TEST

START_TEST(test_explain_apparmor_off_is_not_the_cause)
{
    put_file("sys/kernel/apparmor_restrict_unprivileged_userns", "0\n");
    put_file("sys/kernel/unprivileged_userns_clone", "0\n");
    const char *msg = explain("unshare(CLONE_NEWUSER)", EPERM, false);
    ck_assert_msg(strstr(msg, "apparmor") == NULL, "%s", msg);
    ck_assert_str_eq(msg, "unshare(CLONE_NEWUSER): EPERM: unprivileged user namespaces are "
                          "disabled (kernel.unprivileged_userns_clone = 0); fix: run echoharness "
                          "with sudo, or allow them: sudo sysctl -w "
                          "kernel.unprivileged_userns_clone=1");
}
END_TEST

START_TEST(test_explain_max_user_namespaces_zero)
{
    put_file("sys/kernel/unprivileged_userns_clone", "1\n");
    put_file("sys/user/max_user_namespaces", "0\n");
    ck_assert_str_eq(explain("unshare(CLONE_NEWUSER)", ENOSPC, false),
                     "unshare(CLONE_NEWUSER): ENOSPC: user namespaces are disabled "
                     "(user.max_user_namespaces = 0); fix: run echoharness with sudo, or raise "
                     "the limit: sudo sysctl -w user.max_user_namespaces=15000");
}
END_TEST

START_TEST(test_explain_limit_reached)
{
    put_file("sys/user/max_user_namespaces", "10\n");
    const char *msg = explain("unshare(CLONE_NEWUSER)", ENOSPC, false);
    ck_assert_msg(strstr(msg, "the limit of user namespaces is reached "
                              "(user.max_user_namespaces = 10)") != NULL,
                  "%s", msg);
}
END_TEST

START_TEST(test_explain_no_sysctl_names_seccomp_or_container)
{
    put_file("sys/user/max_user_namespaces", "63704\n");
    ck_assert_str_eq(explain("unshare(CLONE_NEWUSER)", EPERM, false),
                     "unshare(CLONE_NEWUSER): EPERM: no sysctl refuses user namespaces here, so "
                     "a seccomp filter or a container does; fix: run echoharness with sudo, or "
                     "in a privileged container");
}
END_TEST

START_TEST(test_explain_root_in_a_container)
{
    put_file("sys/kernel/apparmor_restrict_unprivileged_userns", "1\n"); /* not root's problem */
    ck_assert_str_eq(explain("unshare(CLONE_NEWNET|CLONE_NEWPID)", EPERM, true),
                     "unshare(CLONE_NEWNET|CLONE_NEWPID): EPERM: running as root, but without "
                     "CAP_SYS_ADMIN or under a seccomp filter that refuses unshare (an "
                     "unprivileged container); fix: run the container privileged, or add the "
                     "capabilities SYS_ADMIN, NET_ADMIN and NET_RAW");
}
END_TEST

START_TEST(test_explain_kernel_without_namespaces)
{
    const char *msg = explain("unshare(CLONE_NEWUSER)", EINVAL, false);
    ck_assert_msg(strstr(msg, "EINVAL: this kernel lacks namespace support") != NULL, "%s", msg);
}
END_TEST

START_TEST(test_capture_without_cap_net_raw_names_setcap)
{
    put_file("self/status", "Name:\techoharness\nCapPrm:\t0000000000000000\n"
                            "CapEff:\t0000000000000000\n");
    char why[512] = "";
    ck_assert(
        !eh_isolate_host_capture_ok(root_dir, false, "/opt/eh/bin/echoharness", why, sizeof(why)));
    ck_assert_msg(strstr(why, "capturing on the host's lo needs CAP_NET_RAW") == why, "%s", why);
    ck_assert_msg(strstr(why, "fix: run echoharness with sudo, or sudo setcap "
                              "cap_net_raw,cap_net_admin+ep /opt/eh/bin/echoharness") != NULL,
                  "%s", why);
}
END_TEST

START_TEST(test_capture_with_cap_net_raw_or_root_is_ok)
{
    put_file("self/status", "CapEff:\t0000000000003000\n"); /* CAP_NET_ADMIN, CAP_NET_RAW */
    char why[512] = "";
    ck_assert(eh_isolate_host_capture_ok(root_dir, false, "echoharness", why, sizeof(why)));
    put_file("self/status", "CapEff:\t0000000000000000\n");
    ck_assert(eh_isolate_host_capture_ok(root_dir, true, "echoharness", why, sizeof(why)));
    ck_assert_str_eq(why, "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("isolate_explain");
    TCase *tc = tcase_create("explain");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_explain_apparmor_restriction);
    tcase_add_test(tc, test_explain_apparmor_off_is_not_the_cause);
    tcase_add_test(tc, test_explain_max_user_namespaces_zero);
    tcase_add_test(tc, test_explain_limit_reached);
    tcase_add_test(tc, test_explain_no_sysctl_names_seccomp_or_container);
    tcase_add_test(tc, test_explain_root_in_a_container);
    tcase_add_test(tc, test_explain_kernel_without_namespaces);
    tcase_add_test(tc, test_capture_without_cap_net_raw_names_setcap);
    tcase_add_test(tc, test_capture_with_cap_net_raw_or_root_is_ok);
    suite_add_tcase(s, tc);
    return eh_test_run(s, CK_FORK_GETENV);
}
