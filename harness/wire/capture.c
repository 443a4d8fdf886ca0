/* capture.c - a capture of one interface into a pcap file.
 *
 * Backends. The socket backend is an AF_PACKET socket created unbound,
 * given its filter (compiled by libpcap), a large receive buffer
 * (SO_RCVBUFFORCE), PACKET_IGNORE_OUTGOING (on lo every frame is seen going
 * out and coming in: libpcap keeps the incoming copy, and so do we) and
 * kernel timestamps, then bound to the interface: nothing in that sequence
 * waits for the kernel. The ring backend is libpcap's memory-mapped ring,
 * whose set-up and release each wait for RCU grace periods (some 60 ms); it
 * is used where the socket's buffer cannot be made large enough, and for a
 * capture cut to a snap length below the default. A socket's buffer is
 * charged the whole of every frame waiting in it, cut or not (on lo a TCP
 * frame can carry 64 KiB), so 32 MiB hold only some 500 frames, which a
 * scenario that keeps only headers because it moves gigabytes overruns the
 * moment the capture thread is not scheduled for a few milliseconds; the
 * ring copies only the snap length of each frame into space of its own, so
 * the same 32 MiB hold over 100000 frames cut to 128 bytes. A cut capture's
 * ring is TPACKET_V2 (libpcap's immediate mode): a slot per frame, each as
 * large as the snap length, so their number does not depend on timing. An
 * uncut ring is TPACKET_V3 (a 1 ms timeout instead): V2 would give every
 * frame a slot the size of the largest frame the interface may carry (on lo,
 * with its offloads, over 64 KiB), so that 32 MiB held only some 500 frames
 * of any size, and a stall of the capture thread dropped packets in ordinary
 * scenarios of an unprivileged run; V3 packs frames one after another into
 * blocks of 256 KiB, handed over when full or 1 ms after their first frame.
 * Not V3 for cut captures: under a slow reader (memcheck) its blocks are
 * handed over by the timer long before they are full, and the 128 blocks
 * held far fewer of the load's frames than V2's slots. Both hand frames to
 * on_frame(), which writes them with pcap_dump() to "<path>.tmp", counts
 * them and follows the TCP connections (their FIN and RST) for the live
 * view; a thread polls the socket and an eventfd that stops it.
 *
 * Quiet: eh_capture_stop() sends barrier frames (ethertype 0x88B5, local
 * experimental, with a token of this capture) from each CPU the caller may
 * run on and waits until the thread has seen all of them. lo hands every
 * frame to a per-CPU backlog that the kernel processes in order, so once a
 * CPU's barrier is seen, every frame queued on that CPU before it has been
 * captured; the TCP answers those frames caused (an ACK to a FIN, an RST to
 * late data) were queued behind the barrier, so rounds repeat until one
 * brings no frame but barriers. Barrier frames are never written to the
 * file. Where a barrier cannot be sent, the capture waits until no frame
 * arrived for QUIET_MS instead.
 *
 * The file is capped: a frame that would take it past the cap (256 MiB, or
 * EH_CAPTURE_MAX_MIB) is counted and not written, so that a program flooding
 * the loopback fills neither the disk nor, later, the analysis. Frames are
 * written cut to the snap length the caller asked for (the live view still
 * reads them whole).
 *
 * Test hooks, so that the dropped-packets path can be tested on purpose:
 * EH_TEST_CAPTURE_BUFFER_BYTES sets the buffer size (the kernel rounds it up
 * to its smallest), EH_TEST_CAPTURE_STALL_MS makes the thread wait that long
 * before it reads anything, and EH_TEST_CAPTURE_RING=1 selects the ring
 * backend. Never set them for real runs.
 */
#include "capture.h"

#include "decode.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23 /* linux/if_packet.h, Linux 4.20 */
#endif

enum {
    SNAPLEN_BYTES = 262144,
    BUFFER_BYTES = 32 * 1024 * 1024, /* the most that may wait unread */
    QUIET_MS = 10,                   /* without barriers: quiet after this long */
    DRAIN_MAX_MS = 200,              /* never wait for quiet longer than this (scaled) */
    MAX_FLOWS = 1024,                /* TCP connections followed for the live view */
    BARRIER_TYPE = 0x88B5,           /* IEEE 802 local experimental ethertype 1 */
};

#define DEFAULT_MAX_MIB 256 /* the capture file's cap, unless EH_CAPTURE_MAX_MIB says */
#define MAX_MAX_MIB 65536   /* the largest EH_CAPTURE_MAX_MIB */
#define PCAP_FILE_HEADER_BYTES 24
#define PCAP_RECORD_HEADER_BYTES 16

static const unsigned char barrier_magic[8] = {'e', 'h', '-', 'q', 'u', 'i', 'e', 't'};

/* A TCP connection seen in the capture, and which end closed it. */
struct flow {
    uint8_t family;
    uint8_t addr[2][16];
    uint16_t port[2];
    bool closed[2]; /* end i sent FIN or RST */
};

struct eh_capture {
    int fd;               /* socket backend: the packet socket, or -1 */
    pcap_t *pcap;         /* ring backend: libpcap's handle, or NULL */
    pcap_t *dead;         /* socket backend: for the filter and the file */
    unsigned char *frame; /* socket backend: one frame */
    pcap_dumper_t *dumper;
    char *path;     /* final name */
    char *tmp_path; /* written while capturing, renamed on stop */
    pthread_t thread;
    bool running;   /* thread started and not yet joined */
    int stop_fd;    /* eventfd: tells the thread to finish */
    int wake_fd;    /* eventfd: the thread tells of new frames */
    uint32_t token; /* in this capture's barrier frames */
    struct eh_decoder *dec;
    uint32_t snaplen;        /* bytes of each frame written */
    uint64_t max_file_bytes; /* the cap */

    pthread_mutex_t lock; /* guards what follows; the thread writes, callers read */
    uint64_t packets;
    uint64_t bytes;
    uint64_t file_bytes; /* the file's size so far */
    uint64_t over_cap;   /* frames not written: the cap was reached */
    int64_t last_packet_us;
    unsigned barrier_round; /* the round eh_capture_stop() waits for */
    unsigned barrier_hits;  /* its barriers seen so far */
    struct flow *flows;
    size_t n_flows;
    bool flows_full;
    char thread_err[PCAP_ERRBUF_SIZE + 64]; /* first read failure */
};

/* A test hook's value (see the top), or dflt when unset or not a number. */
static long test_hook(const char *name, long dflt)
{
    const char *v = getenv(name);
    char *end;
    long n = v != NULL ? strtol(v, &end, 10) : 0;
    return v != NULL && *v != '\0' && *end == '\0' && n > 0 ? n : dflt;
}

/* ---- frames ---- */

static bool same_flow(const struct flow *f, const struct eh_pkt *p, int *end)
{
    size_t alen = f->family == 4 ? 4 : 16;
    for (int e = 0; e < 2; e++) {
        if (f->port[e] == p->sport && f->port[1 - e] == p->dport &&
            memcmp(f->addr[e], p->src, alen) == 0 && memcmp(f->addr[1 - e], p->dst, alen) == 0) {
            *end = e;
            return true;
        }
    }
    return false;
}

/* Follows a TCP segment's connection: which end sent FIN or RST. */
static void track(struct eh_capture *c, const struct eh_pkt *p)
{
    int end = 0;
    struct flow *f = NULL;
    for (size_t i = 0; i < c->n_flows && f == NULL; i++)
        if (c->flows[i].family == p->family && same_flow(&c->flows[i], p, &end))
            f = &c->flows[i];
    if (f == NULL) {
        if (c->n_flows == MAX_FLOWS) {
            c->flows_full = true;
            return;
        }
        f = &c->flows[c->n_flows++];
        memset(f, 0, sizeof(*f));
        f->family = p->family;
        memcpy(f->addr[0], p->src, 16);
        memcpy(f->addr[1], p->dst, 16);
        f->port[0] = p->sport;
        f->port[1] = p->dport;
        end = 0;
    }
    if (p->flags & (EH_TCP_FIN | EH_TCP_RST))
        f->closed[end] = true;
}

/* A barrier frame: true if it is one (of any capture); counts ours. */
static bool barrier(struct eh_capture *c, const struct pcap_pkthdr *h, const u_char *data)
{
    uint32_t token, round;
    if (h->caplen < 14 + sizeof(barrier_magic) + 8 || data[12] != (BARRIER_TYPE >> 8) ||
        data[13] != (BARRIER_TYPE & 0xff) || memcmp(data + 14, barrier_magic, 8) != 0)
        return false;
    memcpy(&token, data + 22, 4);
    memcpy(&round, data + 26, 4);
    if (token == c->token && round == c->barrier_round)
        c->barrier_hits++;
    return true;
}

/* Every captured frame, from either backend (the capture thread). */
static void on_frame(struct eh_capture *c, const struct pcap_pkthdr *h, const u_char *data)
{
    pthread_mutex_lock(&c->lock);
    if (!barrier(c, h, data)) {
        struct pcap_pkthdr cut = *h;
        cut.caplen = h->caplen < c->snaplen ? h->caplen : c->snaplen;
        uint64_t record = PCAP_RECORD_HEADER_BYTES + (uint64_t)cut.caplen;
        if (c->over_cap > 0 || c->file_bytes + record > c->max_file_bytes) {
            c->over_cap++;
        } else {
            pcap_dump((u_char *)c->dumper, &cut, data);
            c->file_bytes += record;
            c->packets++;
            c->bytes += cut.caplen;
        }
        c->last_packet_us = eh_now_us();
        struct eh_pkt p;
        int64_t t = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        if (c->dec != NULL && eh_decode(c->dec, data, h->caplen, h->len, t, &p) == EH_DEC_TCP)
            track(c, &p);
    }
    pthread_mutex_unlock(&c->lock);
}

static void thread_error(struct eh_capture *c, const char *call, const char *what)
{
    pthread_mutex_lock(&c->lock);
    if (c->thread_err[0] == '\0')
        snprintf(c->thread_err, sizeof(c->thread_err), "%s: %s", call, what);
    pthread_mutex_unlock(&c->lock);
}

/* ---- the socket backend ---- */

/* Reads every frame waiting on the socket; returns how many, or -1 on a
 * read error. */
static int read_socket(struct eh_capture *c)
{
    for (int got = 0;; got++) {
        struct sockaddr_ll from;
        char cbuf[CMSG_SPACE(sizeof(struct timespec))];
        struct iovec iov = {c->frame, SNAPLEN_BYTES};
        struct msghdr m = {.msg_name = &from,
                           .msg_namelen = sizeof(from),
                           .msg_iov = &iov,
                           .msg_iovlen = 1,
                           .msg_control = cbuf,
                           .msg_controllen = sizeof(cbuf)};
        ssize_t n = recvmsg(c->fd, &m, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return got;
        if (n < 0) {
            thread_error(c, "recvmsg", strerror(errno));
            return -1;
        }
        if (from.sll_pkttype == PACKET_OUTGOING) /* PACKET_IGNORE_OUTGOING refused */
            continue;
        struct timespec ts = {0, 0};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
        if (cm != NULL && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS)
            memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
        else
            clock_gettime(CLOCK_REALTIME, &ts);
        struct pcap_pkthdr h = {
            .ts = {.tv_sec = ts.tv_sec, .tv_usec = ts.tv_nsec / 1000},
            .caplen = (bpf_u_int32)(n < SNAPLEN_BYTES ? n : SNAPLEN_BYTES),
            .len = (bpf_u_int32)n,
        };
        on_frame(c, &h, c->frame);
    }
}

/* The filter in the kernel: the caller's (if any), and the barrier frames. */
static eh_status attach_filter(struct eh_capture *c, const char *filter, struct eh_error *err)
{
    char *text = NULL;
    struct bpf_program prog;
    if (filter == NULL)
        return EH_OK;
    if (asprintf(&text, "ether proto 0x%x or (%s)", BARRIER_TYPE, filter) < 0) {
        eh_error_set(err, "capture filter \"%s\": out of memory", filter);
        return EH_ERR;
    }
    int rc =
        pcap_compile(c->dead != NULL ? c->dead : c->pcap, &prog, text, 1, PCAP_NETMASK_UNKNOWN);
    free(text);
    if (rc < 0) {
        eh_error_set(err, "capture filter \"%s\": %s", filter,
                     pcap_geterr(c->dead != NULL ? c->dead : c->pcap));
        return EH_ERR;
    }
    if (c->pcap != NULL) {
        rc = pcap_setfilter(c->pcap, &prog);
        if (rc < 0)
            eh_error_set(err, "capture filter \"%s\": %s", filter, pcap_geterr(c->pcap));
    } else {
        struct sock_fprog fp = {.len = (unsigned short)prog.bf_len,
                                .filter = (struct sock_filter *)prog.bf_insns};
        rc = setsockopt(c->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
        if (rc < 0)
            eh_error_set(err, "capture filter \"%s\": SO_ATTACH_FILTER: %s", filter,
                         strerror(errno));
    }
    pcap_freecode(&prog);
    return rc < 0 ? EH_ERR : EH_OK;
}

/* The interface's index, if its frames are Ethernet-like (lo's are). */
static int ether_ifindex(int fd, const char *ifname, struct eh_error *err)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
        eh_error_set(err, "capture on %s: %s", ifname, strerror(errno));
        return -1;
    }
    int index = ifr.ifr_ifindex;
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 ||
        (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER && ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK))
        return 0; /* not Ethernet-like: the ring backend handles it */
    return index;
}

/* Sets the socket's receive buffer to size bytes: with SO_RCVBUFFORCE where
 * allowed, else within net.core.rmem_max; false if it stays smaller. */
static bool set_buffer(int fd, int size)
{
    int got = 0;
    socklen_t len = sizeof(got);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) == 0)
        return true;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    /* the kernel reports twice the limit, for its bookkeeping */
    return getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 && got / 2 >= size;
}

/* Opens the socket backend. EH_TIMEOUT (no error set) means "use the ring":
 * the buffer cannot be made large enough, or the link type is not Ethernet. */
static eh_status open_socket(struct eh_capture *c, const char *ifname, const char *filter,
                             struct eh_error *err)
{
    int one = 1, size = (int)test_hook("EH_TEST_CAPTURE_BUFFER_BYTES", BUFFER_BYTES);
    c->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: not yet receiving */
    if (c->fd < 0) {
        eh_error_set(err,
                     "capture on %s: You don't have permission to capture on that device "
                     "(socket: %s)",
                     ifname, strerror(errno));
        return EH_ERR;
    }
    int ifindex = ether_ifindex(c->fd, ifname, err);
    if (ifindex < 0)
        return EH_ERR;
    if (ifindex == 0 || test_hook("EH_TEST_CAPTURE_RING", 0) || !set_buffer(c->fd, size))
        return EH_TIMEOUT;
    setsockopt(c->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
    setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
    c->dead = pcap_open_dead(DLT_EN10MB, SNAPLEN_BYTES);
    c->frame = malloc(SNAPLEN_BYTES);
    if (c->dead == NULL || c->frame == NULL) {
        eh_error_set(err, "capture on %s: out of memory", ifname);
        return EH_ERR;
    }
    if (attach_filter(c, filter, err) != EH_OK)
        return EH_ERR;
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = ifindex};
    if (bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        eh_error_set(err, "capture on %s: bind: %s", ifname, strerror(errno));
        return EH_ERR;
    }
    return EH_OK;
}

/* ---- the ring backend ---- */

static void on_ring_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    on_frame((struct eh_capture *)user, h, data);
}

/* Dispatches until the ring is empty; returns how many frames, or -1 on a
 * libpcap error. */
static int read_ring(struct eh_capture *c)
{
    int n, got = 0;
    while ((n = pcap_dispatch(c->pcap, -1, on_ring_frame, (u_char *)c)) > 0)
        got += n;
    if (n < 0)
        thread_error(c, "pcap_dispatch", pcap_geterr(c->pcap));
    return n < 0 ? -1 : got;
}

/* Records why pcap_activate() failed: the status text ("You don't have
 * permission to capture on that device") with libpcap's detail, if any. */
static void activate_error(pcap_t *p, int status, const char *ifname, struct eh_error *err)
{
    const char *what = pcap_statustostr(status), *detail = pcap_geterr(p);
    if (status == PCAP_ERROR || detail == NULL || detail[0] == '\0' || strcmp(detail, what) == 0)
        eh_error_set(err, "capture on %s: %s", ifname, status == PCAP_ERROR ? detail : what);
    else
        eh_error_set(err, "capture on %s: %s (%s)", ifname, what, detail);
}

static eh_status open_ring(struct eh_capture *c, const char *ifname, const char *filter,
                           struct eh_error *err)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    c->pcap = pcap_create(ifname, errbuf);
    if (c->pcap == NULL) {
        eh_error_set(err, "capture on %s: %s", ifname, errbuf);
        return EH_ERR;
    }
    pcap_set_snaplen(c->pcap, (int)c->snaplen);
    if (c->snaplen < SNAPLEN_BYTES) /* cut: TPACKET_V2's fixed slots are small (see the top) */
        pcap_set_immediate_mode(c->pcap, 1);
    else /* uncut: TPACKET_V3's packed blocks */
        pcap_set_timeout(c->pcap, 1);
    pcap_set_buffer_size(c->pcap, (int)test_hook("EH_TEST_CAPTURE_BUFFER_BYTES", BUFFER_BYTES));
    int rc = pcap_activate(c->pcap); /* > 0 is a warning (e.g. no promiscuous mode) */
    if (rc < 0) {
        activate_error(c->pcap, rc, ifname, err);
        return EH_ERR;
    }
    if (attach_filter(c, filter, err) != EH_OK)
        return EH_ERR;
    if (pcap_setnonblock(c->pcap, 1, errbuf) < 0) {
        eh_error_set(err, "capture on %s: %s", ifname, errbuf);
        return EH_ERR;
    }
    if (pcap_get_selectable_fd(c->pcap) < 0) {
        eh_error_set(err, "capture on %s: no selectable file descriptor", ifname);
        return EH_ERR;
    }
    /* libpcap opens its socket without O_CLOEXEC: no program the harness
     * starts may inherit it. */
    fcntl(pcap_get_selectable_fd(c->pcap), F_SETFD, FD_CLOEXEC);
    return EH_OK;
}

/* ---- the thread ---- */

static void *capture_thread(void *arg)
{
    struct eh_capture *c = arg;
    struct pollfd pfd[2] = {
        {.fd = c->pcap != NULL ? pcap_get_selectable_fd(c->pcap) : c->fd, .events = POLLIN},
        {.fd = c->stop_fd, .events = POLLIN},
    };
    uint64_t one = 1;
    poll(&pfd[1], 1, (int)test_hook("EH_TEST_CAPTURE_STALL_MS", 0)); /* 0: no stall */
    for (;;) {
        bool stop = poll(pfd, 2, -1) > 0 && pfd[1].revents != 0;
        int got = c->pcap != NULL ? read_ring(c) : read_socket(c);
        if (got < 0 || stop)
            break;
        if (got > 0 && write(c->wake_fd, &one, sizeof(one)) < 0) {
            /* the counter cannot overflow from these writes */
        }
    }
    if (write(c->wake_fd, &one, sizeof(one)) < 0) {
        /* as above */
    }
    return NULL;
}

/* ---- quiet ---- */

/* Sends one barrier frame of the given round; false if it could not. */
static bool send_barrier(struct eh_capture *c, unsigned round)
{
    unsigned char f[14 + sizeof(barrier_magic) + 8];
    memset(f, 0, 12); /* lo's address, both ways */
    f[12] = BARRIER_TYPE >> 8;
    f[13] = BARRIER_TYPE & 0xff;
    memcpy(f + 14, barrier_magic, sizeof(barrier_magic));
    uint32_t r = round;
    memcpy(f + 22, &c->token, 4);
    memcpy(f + 26, &r, 4);
    if (c->pcap != NULL)
        return pcap_inject(c->pcap, f, sizeof(f)) == (int)sizeof(f);
    return send(c->fd, f, sizeof(f), MSG_DONTWAIT) == (ssize_t)sizeof(f);
}

/* Sends a barrier from each CPU this thread may run on (the kernel queues
 * a frame on lo to the sending CPU's backlog); returns how many went out. */
static unsigned send_barriers(struct eh_capture *c, unsigned round)
{
    cpu_set_t mine, one;
    pthread_t self = pthread_self();
    if (pthread_getaffinity_np(self, sizeof(mine), &mine) != 0)
        return send_barrier(c, round) ? 1 : 0;
    unsigned sent = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &mine))
            continue;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (pthread_setaffinity_np(self, sizeof(one), &one) == 0 && send_barrier(c, round))
            sent++;
    }
    pthread_setaffinity_np(self, sizeof(mine), &mine);
    return sent;
}

/* Waits on the wake fd until deadline_us; false once it has passed. */
static bool wait_wake(struct eh_capture *c, int64_t deadline_us)
{
    int64_t left = deadline_us - eh_now_us();
    if (left <= 0)
        return false;
    struct pollfd pfd = {.fd = c->wake_fd, .events = POLLIN};
    uint64_t n;
    if (poll(&pfd, 1, (int)((left + 999) / 1000)) > 0 && read(c->wake_fd, &n, sizeof(n)) < 0) {
        /* drained by someone else: fine */
    }
    return true;
}

/* Barrier rounds until one brings no frame but its barriers (see the top);
 * false if barriers could not be sent or the deadline passed. */
static bool quiet_by_barriers(struct eh_capture *c, int64_t deadline_us)
{
    for (unsigned round = 1;; round++) {
        pthread_mutex_lock(&c->lock);
        uint64_t before = c->packets;
        c->barrier_round = round;
        c->barrier_hits = 0;
        pthread_mutex_unlock(&c->lock);
        unsigned sent = send_barriers(c, round), hits = 0;
        uint64_t after = before;
        while (sent > 0) {
            pthread_mutex_lock(&c->lock);
            hits = c->barrier_hits;
            after = c->packets;
            pthread_mutex_unlock(&c->lock);
            if (hits >= sent || !wait_wake(c, deadline_us))
                break;
        }
        if (sent == 0 || hits < sent)
            return false;
        if (after == before)
            return true;
    }
}

/* Without barriers: until no frame arrived for QUIET_MS, or the deadline. */
static void quiet_by_time(struct eh_capture *c, int64_t deadline_us)
{
    for (;;) {
        pthread_mutex_lock(&c->lock);
        int64_t quiet_at = c->last_packet_us + QUIET_MS * 1000;
        pthread_mutex_unlock(&c->lock);
        int64_t until = quiet_at < deadline_us ? quiet_at : deadline_us;
        if (eh_now_us() >= until || !wait_wake(c, until))
            return;
    }
}

/* ---- the interface ---- */

uint64_t eh_capture_max_mib(void)
{
    const char *v = getenv("EH_CAPTURE_MAX_MIB");
    char *end;
    unsigned long long n = v != NULL ? strtoull(v, &end, 10) : 0;
    bool ok = v != NULL && *v >= '0' && *v <= '9' && *end == '\0' && n >= 1 && n <= MAX_MAX_MIB;
    return ok ? n : DEFAULT_MAX_MIB;
}

eh_status eh_capture_start(const char *ifname, const char *filter, const char *pcap_path,
                           struct eh_capture **out, struct eh_error *err)
{
    return eh_capture_start_snaplen(ifname, filter, 0, pcap_path, out, err);
}

eh_status eh_capture_start_snaplen(const char *ifname, const char *filter, int snaplen,
                                   const char *pcap_path, struct eh_capture **out,
                                   struct eh_error *err)
{
    *out = NULL;
    struct eh_capture *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->path = strdup(pcap_path)) == NULL ||
        asprintf(&c->tmp_path, "%s.tmp", pcap_path) < 0) {
        eh_error_set(err, "capture on %s: out of memory", ifname);
        if (c != NULL)
            free(c->path);
        free(c);
        return EH_ERR;
    }
    c->fd = c->stop_fd = c->wake_fd = -1;
    c->snaplen = snaplen > 0 && snaplen < SNAPLEN_BYTES ? (uint32_t)snaplen : SNAPLEN_BYTES;
    c->file_bytes = PCAP_FILE_HEADER_BYTES;
    c->max_file_bytes = eh_capture_max_mib() << 20;
    pthread_mutex_init(&c->lock, NULL);
    c->token = (uint32_t)getpid() ^ (uint32_t)eh_now_us();
    c->last_packet_us = eh_now_us();
    c->stop_fd = eventfd(0, EFD_CLOEXEC);
    c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    c->flows = malloc(MAX_FLOWS * sizeof(*c->flows));
    c->dec = eh_decoder_new(DLT_EN10MB);
    if (c->stop_fd < 0 || c->wake_fd < 0 || c->flows == NULL || c->dec == NULL) {
        eh_error_set(err, "capture on %s: %s", ifname, strerror(errno ? errno : ENOMEM));
        goto fail;
    }
    /* A cut capture goes to the ring at once (see the top). */
    eh_status st = c->snaplen < SNAPLEN_BYTES ? EH_TIMEOUT : open_socket(c, ifname, filter, err);
    if (st == EH_TIMEOUT) { /* the ring, then */
        close(c->fd);
        c->fd = -1;
        st = open_ring(c, ifname, filter, err);
    }
    if (st != EH_OK)
        goto fail;
    c->dumper = pcap_dump_open(c->pcap != NULL ? c->pcap : c->dead, c->tmp_path);
    if (c->dumper == NULL) {
        eh_error_set(err, "%s: %s", c->tmp_path, pcap_geterr(c->pcap != NULL ? c->pcap : c->dead));
        goto fail;
    }
    /* libpcap opens the file without O_CLOEXEC. */
    fcntl(fileno(pcap_dump_file(c->dumper)), F_SETFD, FD_CLOEXEC);
    int rc = pthread_create(&c->thread, NULL, capture_thread, c);
    if (rc != 0) {
        eh_error_set(err, "capture on %s: pthread_create: %s", ifname, strerror(rc));
        goto fail;
    }
    c->running = true;
    *out = c;
    return EH_OK;
fail:
    if (c->dumper != NULL) {
        pcap_dump_close(c->dumper);
        remove(c->tmp_path);
    }
    c->dumper = NULL;
    eh_capture_free(c);
    return EH_ERR;
}

void eh_capture_live(struct eh_capture *c, int port, struct eh_capture_live *out)
{
    uint64_t n;
    if (read(c->wake_fd, &n, sizeof(n)) < 0) {
        /* nothing new: fine */
    }
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&c->lock);
    out->packets = c->packets;
    out->last_packet_us = c->last_packet_us;
    out->tcp_untracked = c->flows_full;
    for (size_t i = 0; i < c->n_flows; i++) {
        for (int e = 0; e < 2; e++) {
            if (c->flows[i].port[e] != port)
                continue;
            out->tcp_conns++;
            out->tcp_closed += c->flows[i].closed[e];
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
}

int eh_capture_wake_fd(const struct eh_capture *c)
{
    return c->wake_fd;
}

/* The kernel's drop counters (the socket's are reset when read: read once). */
static eh_status read_drops(struct eh_capture *c, struct eh_capture_stats *s, struct eh_error *err)
{
    if (c->pcap != NULL) {
        struct pcap_stat ps = {0};
        if (pcap_stats(c->pcap, &ps) < 0) {
            eh_error_set(err, "capture: pcap_stats: %s", pcap_geterr(c->pcap));
            return EH_ERR;
        }
        s->dropped_kernel = ps.ps_drop;
        s->dropped_iface = ps.ps_ifdrop;
        return EH_OK;
    }
    struct tpacket_stats ts = {0, 0};
    socklen_t len = sizeof(ts);
    if (getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &ts, &len) < 0) {
        eh_error_set(err, "capture: PACKET_STATISTICS: %s", strerror(errno));
        return EH_ERR;
    }
    s->dropped_kernel = ts.tp_drops;
    return EH_OK;
}

eh_status eh_capture_stop(struct eh_capture *c, struct eh_capture_stats *stats,
                          struct eh_error *err)
{
    struct eh_capture_stats s = {0};
    if (stats != NULL)
        *stats = s;
    if (c == NULL || !c->running) {
        eh_error_set(err, "capture: not running");
        return EH_ERR;
    }
    int64_t deadline_us = eh_now_us() + eh_scaled_ms(DRAIN_MAX_MS) * 1000;
    if (!quiet_by_barriers(c, deadline_us))
        quiet_by_time(c, deadline_us);
    uint64_t one = 1;
    if (write(c->stop_fd, &one, sizeof(one)) < 0) {
        /* an eventfd counter cannot overflow from one write */
    }
    pthread_join(c->thread, NULL);
    c->running = false;

    eh_status st = read_drops(c, &s, err);
    s.packets = c->packets;
    s.bytes = c->bytes;
    s.over_cap = c->over_cap;
    if (stats != NULL)
        *stats = s;
    if (c->thread_err[0] != '\0') {
        eh_error_set(err, "capture: %s", c->thread_err);
        st = EH_ERR;
    }
    if (pcap_dump_flush(c->dumper) < 0) {
        eh_error_set(err, "%s: write failed", c->tmp_path);
        st = EH_ERR;
    }
    pcap_dump_close(c->dumper);
    c->dumper = NULL;
    if (rename(c->tmp_path, c->path) < 0) {
        eh_error_set(err, "rename %s to %s: %s", c->tmp_path, c->path, strerror(errno));
        st = EH_ERR;
    }
    return st;
}

/* Releases the packet socket (or ring) off the caller's path. */
static void *release(void *arg)
{
    struct eh_capture *c = arg;
    if (c->pcap != NULL)
        pcap_close(c->pcap);
    if (c->fd >= 0)
        close(c->fd);
    free(c);
    return NULL;
}

void eh_capture_free(struct eh_capture *c)
{
    if (c == NULL)
        return;
    if (c->running)
        eh_capture_stop(c, NULL, NULL);
    if (c->dead != NULL)
        pcap_close(c->dead);
    if (c->stop_fd >= 0)
        close(c->stop_fd);
    if (c->wake_fd >= 0)
        close(c->wake_fd);
    eh_decoder_free(c->dec);
    pthread_mutex_destroy(&c->lock);
    free(c->frame);
    free(c->flows);
    free(c->path);
    free(c->tmp_path);
    pthread_t t;
    pthread_attr_t attr;
    bool detached = false;
    if (pthread_attr_init(&attr) == 0) {
        detached = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
                   pthread_create(&t, &attr, release, c) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!detached)
        release(c);
}
