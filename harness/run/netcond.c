/* netcond.c - network conditions inside a scenario's own network namespace.
 *
 * MTU and offloads by ioctl on lo, loss by an nftables rule through
 * libnftables, delay and reordering by a netem qdisc added with one
 * RTM_NEWQDISC rtnetlink request (the message `tc qdisc add dev lo root
 * netem delay D reorder P%` sends). See netcond.h.
 */
#include "netcond.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define NFT_TABLE "echoharness"
#define NETEM_LIMIT 10000 /* packets netem holds (tc's default is 1000) */
#define NL_BUF_BYTES 1024

/* "what: ENAME (strerror)" into why; returns EH_NETCOND_FAILED. */
static enum eh_netcond_result failed(char *why, size_t len, const char *what, int e)
{
    snprintf(why, len, "%s: %s (%s)", what, eh_errno_name(e), strerror(e));
    return EH_NETCOND_FAILED;
}

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "lo");
    int r = ioctl(s, req, ifr);
    int e = errno;
    close(s);
    errno = e;
    return r;
}

static enum eh_netcond_result set_mtu(int mtu, char *why, size_t len)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_mtu = mtu;
    if (ifreq_ioctl(SIOCSIFMTU, &ifr) < 0) {
        char what[64];
        snprintf(what, sizeof(what), "setting lo's MTU to %d", mtu);
        return failed(why, len, what, errno);
    }
    return EH_NETCOND_APPLIED;
}

/* TSO, GSO and GRO off on lo (ethtool's legacy set commands, as `ethtool
 * -K lo tso off gso off gro off`). */
static enum eh_netcond_result offloads_off(char *why, size_t len)
{
    static const struct {
        uint32_t cmd;
        const char *name;
    } offs[] = {{ETHTOOL_STSO, "TSO"}, {ETHTOOL_SGSO, "GSO"}, {ETHTOOL_SGRO, "GRO"}};
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        struct ethtool_value v = {.cmd = offs[i].cmd, .data = 0};
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        ifr.ifr_data = (void *)&v;
        if (ifreq_ioctl(SIOCETHTOOL, &ifr) < 0) {
            char what[64];
            snprintf(what, sizeof(what), "turning lo's %s off", offs[i].name);
            return failed(why, len, what, errno);
        }
    }
    return EH_NETCOND_APPLIED;
}

/* An nftables table whose input chain drops loss_percent of the packets at
 * random (at 100 every packet: `numgen random mod 100` is 0..99, and nft
 * refuses a comparison with 100 as out of its range). */
static enum eh_netcond_result add_loss(int loss_percent, char *why, size_t len)
{
    char cmd[512], match[64] = "";
    if (loss_percent < 100)
        snprintf(match, sizeof(match), "numgen random mod 100 < %d ", loss_percent);
    snprintf(cmd, sizeof(cmd),
             "add table inet " NFT_TABLE "\n"
             "add chain inet " NFT_TABLE " loss { type filter hook input priority 0; policy "
             "accept; }\n"
             "add rule inet " NFT_TABLE " loss %sdrop\n",
             match);
    struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
    if (nft == NULL) {
        snprintf(why, len, "libnftables: cannot make a context");
        return EH_NETCOND_FAILED;
    }
    nft_ctx_buffer_output(nft);
    nft_ctx_buffer_error(nft);
    int rc = nft_run_cmd_from_buffer(nft, cmd);
    if (rc != 0) {
        const char *msg = nft_ctx_get_error_buffer(nft);
        size_t n = msg ? strcspn(msg, "\n") : 0;
        snprintf(why, len, "adding the nftables rule for %d%% loss failed: %.*s", loss_percent,
                 (int)n, msg ? msg : "");
    }
    nft_ctx_free(nft);
    return rc == 0 ? EH_NETCOND_APPLIED : EH_NETCOND_FAILED;
}

/* Appends one attribute to the message at m (whose buffer holds cap bytes);
 * returns it, or NULL when it does not fit. */
static struct rtattr *add_attr(struct nlmsghdr *m, size_t cap, unsigned short type,
                               const void *data, size_t len)
{
    size_t at = NLMSG_ALIGN(m->nlmsg_len), size = RTA_LENGTH(len);
    if (at + RTA_ALIGN(size) > cap)
        return NULL;
    struct rtattr *a = (struct rtattr *)((char *)m + at);
    a->rta_type = type;
    a->rta_len = (unsigned short)size;
    if (len > 0)
        memcpy(RTA_DATA(a), data, len);
    m->nlmsg_len = (uint32_t)(at + RTA_ALIGN(size));
    return a;
}

/* Fills m with RTM_NEWQDISC for a root netem on ifindex. */
static bool netem_request(struct nlmsghdr *m, size_t cap, int ifindex, int delay_ms,
                          int reorder_percent)
{
    memset(m, 0, cap);
    m->nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
    m->nlmsg_type = RTM_NEWQDISC;
    m->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    m->nlmsg_seq = 1;
    struct tcmsg *t = NLMSG_DATA(m);
    t->tcm_family = AF_UNSPEC;
    t->tcm_ifindex = ifindex;
    t->tcm_handle = 0x10000; /* 1: */
    t->tcm_parent = TC_H_ROOT;
    int64_t latency_ns = (int64_t)delay_ms * 1000000;
    struct tc_netem_qopt opt = {
        .latency = (uint32_t)(latency_ns >> 6), /* psched ticks: PSCHED_NS2TICKS */
        .limit = NETEM_LIMIT,
        .gap = reorder_percent > 0 ? 1 : 0, /* as tc: reordering needs a gap */
    };
    struct tc_netem_reorder reorder = {
        .probability = (uint32_t)((double)reorder_percent / 100.0 * UINT32_MAX),
    };
    /* netem's TCA_OPTIONS is its struct followed by its own attributes. */
    struct rtattr *opts;
    if (add_attr(m, cap, TCA_KIND, "netem", sizeof("netem")) == NULL ||
        (opts = add_attr(m, cap, TCA_OPTIONS, &opt, sizeof(opt))) == NULL ||
        add_attr(m, cap, TCA_NETEM_LATENCY64, &latency_ns, sizeof(latency_ns)) == NULL ||
        (reorder_percent > 0 &&
         add_attr(m, cap, TCA_NETEM_REORDER, &reorder, sizeof(reorder)) == NULL))
        return false;
    opts->rta_len = (unsigned short)((char *)m + m->nlmsg_len - (char *)opts);
    return true;
}

/* Sends the request and reads the kernel's answer: 0, or the negative errno
 * it gave. */
static int netlink_talk(struct nlmsghdr *m)
{
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s < 0)
        return -errno;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    int r = -EIO;
    char buf[NL_BUF_BYTES];
    if (sendto(s, m, m->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
        r = -errno;
    } else {
        ssize_t n = recv(s, buf, sizeof(buf), 0);
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        if (n < 0)
            r = -errno;
        else if (NLMSG_OK(h, (size_t)n) && h->nlmsg_type == NLMSG_ERROR &&
                 h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr)))
            r = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
    }
    close(s);
    return r;
}

static enum eh_netcond_result add_netem(int delay_ms, int reorder_percent, char *why, size_t len)
{
    union {
        struct nlmsghdr h;
        char buf[NL_BUF_BYTES];
    } req;
    int ifindex = (int)if_nametoindex("lo");
    if (ifindex == 0)
        return failed(why, len, "finding lo", errno);
    if (!netem_request(&req.h, sizeof(req), ifindex, delay_ms, reorder_percent)) {
        snprintf(why, len, "netem: the request does not fit %d bytes", NL_BUF_BYTES);
        return EH_NETCOND_FAILED;
    }
    int r = netlink_talk(&req.h);
    if (r == -ENOENT || r == -EOPNOTSUPP) {
        snprintf(why, len,
                 "delay_ms and reorder_percent need the kernel's netem qdisc (sch_netem), "
                 "which this kernel lacks: adding netem to lo failed with %s",
                 eh_errno_name(-r));
        return EH_NETCOND_UNSUPPORTED;
    }
    if (r < 0)
        return failed(why, len, "adding the netem qdisc to lo", -r);
    return EH_NETCOND_APPLIED;
}

enum eh_netcond_result eh_netcond_apply(const struct eh_netcond *nc, char *why, size_t why_len)
{
    enum eh_netcond_result r = EH_NETCOND_APPLIED;
    why[0] = '\0';
    if (!nc->given)
        return r;
    if (nc->mtu > 0)
        r = set_mtu(nc->mtu, why, why_len);
    if (r == EH_NETCOND_APPLIED)
        r = offloads_off(why, why_len);
    if (r == EH_NETCOND_APPLIED && (nc->delay_ms > 0 || nc->reorder_percent > 0))
        r = add_netem(nc->delay_ms, nc->reorder_percent, why, why_len);
    if (r == EH_NETCOND_APPLIED && nc->loss_percent > 0)
        r = add_loss(nc->loss_percent, why, why_len);
    return r;
}

void eh_netcond_describe(const struct eh_netcond *nc, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    if (!nc->given)
        return;
    if (nc->mtu > 0)
        n += (size_t)snprintf(buf + n, len - n, "MTU %d", nc->mtu);
    if (nc->loss_percent > 0 && n < len)
        n += (size_t)snprintf(buf + n, len - n, "%s%d%% loss", n ? ", " : "", nc->loss_percent);
    if (nc->delay_ms > 0 && n < len)
        n += (size_t)snprintf(buf + n, len - n, "%s%d ms delay", n ? ", " : "", nc->delay_ms);
    if (nc->reorder_percent > 0 && n < len)
        snprintf(buf + n, len - n, "%s%d%% reordered", n ? ", " : "", nc->reorder_percent);
}
