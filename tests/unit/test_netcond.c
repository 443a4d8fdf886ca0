/* test_netcond.c - unit tests of netcond.c: network conditions in a namespace.
 *
 * The descriptions are plain tests. Applying conditions changes lo, so those
 * tests run the conditions inside a fresh network namespace through
 * eh_isolate_run() and read back what the kernel holds there: lo's MTU
 * (SIOCGIFMTU), its TSO, GSO and GRO (the ethtool get commands) and the
 * nftables ruleset (libnftables). They are the part "namespaces"
 * (unit/test_netcond_namespaces), skipped where namespaces are unavailable.
 */
#include "netcond.h"

#include "isolate.h"
#include "unit.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

START_TEST(test_describe_names_each_condition_given)
{
    char buf[128];
    struct eh_netcond all = {
        .given = true, .mtu = 1500, .loss_percent = 3, .delay_ms = 20, .reorder_percent = 5};
    eh_netcond_describe(&all, buf, sizeof(buf));
    ck_assert_str_eq(buf, "MTU 1500, 3% loss, 20 ms delay, 5% reordered");
    struct eh_netcond loss = {.given = true, .loss_percent = 1};
    eh_netcond_describe(&loss, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1% loss");
    struct eh_netcond none = {0};
    eh_netcond_describe(&none, buf, sizeof(buf));
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_nothing_given_changes_nothing)
{
    struct eh_netcond none = {0};
    char why[64] = "x";
    ck_assert_int_eq(eh_netcond_apply(&none, why, sizeof(why)), EH_NETCOND_APPLIED);
    ck_assert_str_eq(why, "");
}
END_TEST

/* ---- inside a namespace ---- */

static int lo_ioctl(unsigned long req, struct ifreq *ifr)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "lo");
    int r = s < 0 ? -1 : ioctl(s, req, ifr);
    if (s >= 0)
        close(s);
    return r;
}

/* An offload's state on lo: 0 off, 1 on, -1 unknown. */
static int offload(uint32_t get_cmd)
{
    struct ethtool_value v = {.cmd = get_cmd};
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_data = (void *)&v;
    return lo_ioctl(SIOCETHTOOL, &ifr) < 0 ? -1 : (int)v.data;
}

/* The nftables ruleset, as `nft list ruleset` prints it, into buf. */
static void ruleset(char *buf, size_t len)
{
    struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
    buf[0] = '\0';
    if (nft == NULL)
        return;
    nft_ctx_buffer_output(nft);
    nft_ctx_buffer_error(nft);
    if (nft_run_cmd_from_buffer(nft, "list ruleset") == 0)
        snprintf(buf, len, "%s", nft_ctx_get_output_buffer(nft));
    nft_ctx_free(nft);
}

/* Applies the conditions in arg, then writes what the kernel holds:
 * "result=R mtu=M tso=T gso=G gro=R why=...\n<ruleset>". */
static int apply_and_read(void *arg, enum eh_isolation mode, int fd)
{
    const struct eh_netcond *nc = arg;
    char why[512], rules[2048], out[3072];
    if (mode != EH_ISO_NAMESPACES)
        return 3;
    enum eh_netcond_result r = eh_netcond_apply(nc, why, sizeof(why));
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    int mtu = lo_ioctl(SIOCGIFMTU, &ifr) < 0 ? -1 : ifr.ifr_mtu;
    ruleset(rules, sizeof(rules));
    int n =
        snprintf(out, sizeof(out), "result=%d mtu=%d tso=%d gso=%d gro=%d why=%s\n%s", (int)r, mtu,
                 offload(ETHTOOL_GTSO), offload(ETHTOOL_GGSO), offload(ETHTOOL_GGRO), why, rules);
    return write(fd, out, (size_t)n) == n ? 0 : 1;
}

static char *in_namespace(const struct eh_netcond *nc)
{
    char *buf = NULL;
    size_t len = 0;
    enum eh_isolation mode;
    struct eh_error err = {0};
    eh_status st = eh_isolate_run(apply_and_read, nc, sizeof(*nc), false, eh_now_us() + 10000000,
                                  &mode, &buf, &len, &err);
    ck_assert_msg(st == EH_OK && mode == EH_ISO_NAMESPACES, "isolated run: %s", err.msg);
    return buf;
}

START_TEST(test_mtu_and_loss_are_set_in_the_namespace_with_offloads_off)
{
    struct eh_netcond nc = {.given = true, .mtu = 1500, .loss_percent = 3};
    char *got = in_namespace(&nc);
    ck_assert_msg(strncmp(got, "result=0 mtu=1500 tso=0 gso=0 gro=0 why=\n", 41) == 0, "%s", got);
    ck_assert_msg(strstr(got, "table inet echoharness") != NULL, "%s", got);
    ck_assert_msg(strstr(got, "type filter hook input priority filter; policy accept;") != NULL,
                  "%s", got);
    ck_assert_msg(strstr(got, "numgen random mod 100 < 3 drop") != NULL, "%s", got);
    free(got);
    /* and the harness's own namespace keeps its lo */
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ck_assert_int_eq(lo_ioctl(SIOCGIFMTU, &ifr), 0);
    ck_assert_int_ne(ifr.ifr_mtu, 1500);
}
END_TEST

/* 100% loss is a rule that drops every packet (nft refuses "mod 100 < 100"). */
START_TEST(test_all_lost_is_a_plain_drop)
{
    struct eh_netcond nc = {.given = true, .loss_percent = 100};
    char *got = in_namespace(&nc);
    ck_assert_msg(strncmp(got, "result=0 ", 9) == 0, "%s", got);
    ck_assert_msg(strstr(got, "policy accept;") != NULL && strstr(got, "drop") != NULL &&
                      strstr(got, "numgen") == NULL,
                  "%s", got);
    free(got);
}
END_TEST

START_TEST(test_an_mtu_alone_adds_no_rule)
{
    struct eh_netcond nc = {.given = true, .mtu = 9000};
    char *got = in_namespace(&nc);
    ck_assert_msg(strncmp(got, "result=0 mtu=9000 tso=0 gso=0 gro=0", 35) == 0, "%s", got);
    ck_assert_msg(strstr(got, "echoharness") == NULL, "%s", got);
    free(got);
}
END_TEST

START_TEST(test_delay_is_netem_or_unsupported_saying_so)
{
    struct eh_netcond nc = {.given = true, .delay_ms = 20, .reorder_percent = 5};
    char *got = in_namespace(&nc);
    bool applied = strncmp(got, "result=0 ", 9) == 0;
    bool unsupported =
        strncmp(got, "result=1 ", 9) == 0 &&
        strstr(got, "why=delay_ms and reorder_percent need the kernel's netem qdisc (sch_netem), "
                    "which this kernel lacks: adding netem to lo failed with ") != NULL;
    ck_assert_msg(applied || unsupported, "%s", got);
    free(got);
}
END_TEST

int main(int argc, char **argv)
{
    struct eh_error err = {0};
    if (eh_timeout_scale_from_env(&err) != EH_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return EXIT_FAILURE;
    }
    const char *part = eh_test_part(argc, argv, (const char *const[]){"namespaces", NULL});
    bool ns = strcmp(part, "namespaces") == 0;
    char why[256];
    if (ns && eh_isolate_probe(why, sizeof(why)) != EH_ISO_NAMESPACES)
        return eh_test_skip("namespaces unavailable here: %s", why);
    Suite *s = suite_create("netcond");
    TCase *tc = tcase_create(ns ? "namespaces" : "plain");
    if (ns) {
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_mtu_and_loss_are_set_in_the_namespace_with_offloads_off);
        tcase_add_test(tc, test_all_lost_is_a_plain_drop);
        tcase_add_test(tc, test_an_mtu_alone_adds_no_rule);
        tcase_add_test(tc, test_delay_is_netem_or_unsupported_saying_so);
    } else {
        tcase_add_test(tc, test_describe_names_each_condition_given);
        tcase_add_test(tc, test_nothing_given_changes_nothing);
    }
    suite_add_tcase(s, tc);
    return eh_test_run(s, CK_FORK_GETENV);
}
