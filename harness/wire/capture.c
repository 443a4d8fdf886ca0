/* capture.c - a libpcap capture of one interface into a pcap file.
 *
 * The handle is created and activated in eh_capture_start() itself, so the
 * kernel queues every packet sent after it returns. A thread then polls the
 * selectable fd with a short timeout and dumps whatever pcap_dispatch() hands
 * it to "<path>.tmp"; eh_capture_stop() waits until the interface has been
 * quiet for a few milliseconds (bounded), stops the thread, reads pcap_stats()
 * and renames the flushed file to its final name, so a reader never sees a
 * half-written capture under that name.
 *
 * Test hooks, so that the dropped-packets path can be tested on purpose:
 * EH_TEST_CAPTURE_BUFFER_BYTES sets the kernel buffer size (libpcap rounds
 * it up to its smallest ring) and EH_TEST_CAPTURE_STALL_MS makes the thread
 * wait that long before it reads anything. Never set them for real runs.
 */
#include "capture.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    SNAPLEN_BYTES = 262144,
    /* Immediate mode gives one ring frame per packet, sized for lo's 64 KiB
     * MTU (a 128 KiB block each): 128 MiB holds 1024 packets, the whole of
     * the busiest scenario (50 clients, about 750 packets), so a capture
     * thread starved on a loaded machine loses none. */
    BUFFER_BYTES = 128 * 1024 * 1024,
    POLL_MS = 5,       /* how often the thread checks the stop flag */
    QUIET_MS = 10,     /* drain: stop once no packet arrived for this long */
    DRAIN_MAX_MS = 200 /* drain: never wait longer than this (scaled) */
};

struct eh_capture {
    pcap_t *pcap;
    pcap_dumper_t *dumper;
    char *path;     /* final name */
    char *tmp_path; /* written while capturing, renamed on stop */
    pthread_t thread;
    bool running;                   /* thread started and not yet joined */
    atomic_bool stop;               /* set by eh_capture_stop() */
    _Atomic int64_t last_packet_us; /* eh_now_us() of the latest packet */
    uint64_t packets;               /* written by the thread; read after join */
    uint64_t bytes;
    char thread_err[PCAP_ERRBUF_SIZE + 64]; /* first pcap_dispatch() failure */
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct eh_capture *c = (struct eh_capture *)user;
    pcap_dump((u_char *)c->dumper, h, data);
    c->packets++;
    c->bytes += h->caplen;
    atomic_store(&c->last_packet_us, eh_now_us());
}

/* Dispatches until the ring is empty; false on a libpcap error. */
static bool dispatch_all(struct eh_capture *c)
{
    int n;
    while ((n = pcap_dispatch(c->pcap, -1, on_packet, (u_char *)c)) > 0)
        ;
    if (n < 0 && c->thread_err[0] == '\0')
        snprintf(c->thread_err, sizeof(c->thread_err), "pcap_dispatch: %s", pcap_geterr(c->pcap));
    return n >= 0;
}

/* A test hook's value (see the top), or dflt when unset or not a number. */
static long test_hook(const char *name, long dflt)
{
    const char *v = getenv(name);
    char *end;
    long n = v != NULL ? strtol(v, &end, 10) : 0;
    return v != NULL && *v != '\0' && *end == '\0' && n > 0 ? n : dflt;
}

static void *capture_thread(void *arg)
{
    struct eh_capture *c = arg;
    long stall_ms = test_hook("EH_TEST_CAPTURE_STALL_MS", 0);
    while (stall_ms > 0 && !atomic_load(&c->stop)) {
        poll(NULL, 0, POLL_MS);
        stall_ms -= POLL_MS;
    }
    struct pollfd pfd = {.fd = pcap_get_selectable_fd(c->pcap), .events = POLLIN};
    while (!atomic_load(&c->stop)) {
        if (poll(&pfd, 1, POLL_MS) > 0 && !dispatch_all(c))
            return NULL;
    }
    dispatch_all(c); /* whatever arrived between the last poll and the stop */
    return NULL;
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

static eh_status open_handle(struct eh_capture *c, const char *ifname, const char *filter,
                             struct eh_error *err)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    c->pcap = pcap_create(ifname, errbuf);
    if (c->pcap == NULL) {
        eh_error_set(err, "capture on %s: %s", ifname, errbuf);
        return EH_ERR;
    }
    pcap_set_snaplen(c->pcap, SNAPLEN_BYTES);
    pcap_set_immediate_mode(c->pcap, 1);
    pcap_set_buffer_size(c->pcap, (int)test_hook("EH_TEST_CAPTURE_BUFFER_BYTES", BUFFER_BYTES));
    int rc = pcap_activate(c->pcap); /* > 0 is a warning (e.g. no promiscuous mode) */
    if (rc < 0) {
        activate_error(c->pcap, rc, ifname, err);
        return EH_ERR;
    }
    if (filter != NULL) {
        struct bpf_program prog;
        if (pcap_compile(c->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            eh_error_set(err, "capture filter \"%s\": %s", filter, pcap_geterr(c->pcap));
            return EH_ERR;
        }
        rc = pcap_setfilter(c->pcap, &prog);
        pcap_freecode(&prog);
        if (rc < 0) {
            eh_error_set(err, "capture filter \"%s\": %s", filter, pcap_geterr(c->pcap));
            return EH_ERR;
        }
    }
    if (pcap_setnonblock(c->pcap, 1, errbuf) < 0) {
        eh_error_set(err, "capture on %s: %s", ifname, errbuf);
        return EH_ERR;
    }
    if (pcap_get_selectable_fd(c->pcap) < 0) {
        eh_error_set(err, "capture on %s: no selectable file descriptor", ifname);
        return EH_ERR;
    }
    return EH_OK;
}

eh_status eh_capture_start(const char *ifname, const char *filter, const char *pcap_path,
                           struct eh_capture **out, struct eh_error *err)
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
    if (open_handle(c, ifname, filter, err) != EH_OK)
        goto fail;
    c->dumper = pcap_dump_open(c->pcap, c->tmp_path);
    if (c->dumper == NULL) {
        eh_error_set(err, "%s: %s", c->tmp_path, pcap_geterr(c->pcap));
        goto fail;
    }
    /* libpcap opens its socket and the file without O_CLOEXEC: no program
     * the harness starts may inherit them. */
    fcntl(pcap_get_selectable_fd(c->pcap), F_SETFD, FD_CLOEXEC);
    fcntl(fileno(pcap_dump_file(c->dumper)), F_SETFD, FD_CLOEXEC);
    atomic_store(&c->last_packet_us, eh_now_us());
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

eh_status eh_capture_stop(struct eh_capture *c, struct eh_capture_stats *stats,
                          struct eh_error *err)
{
    if (stats != NULL)
        *stats = (struct eh_capture_stats){0};
    if (c == NULL || !c->running) {
        eh_error_set(err, "capture: not running");
        return EH_ERR;
    }
    /* Drain: the kernel may still be delivering the last packets of a
     * process that just exited. */
    int64_t quiet_us = QUIET_MS * 1000,
            deadline_us = eh_now_us() + eh_scaled_ms(DRAIN_MAX_MS) * 1000;
    while (eh_now_us() < deadline_us && eh_now_us() - atomic_load(&c->last_packet_us) < quiet_us)
        poll(NULL, 0, 2);
    atomic_store(&c->stop, true);
    pthread_join(c->thread, NULL);
    c->running = false;

    eh_status st = EH_OK;
    struct pcap_stat ps = {0};
    if (pcap_stats(c->pcap, &ps) < 0) {
        eh_error_set(err, "capture: pcap_stats: %s", pcap_geterr(c->pcap));
        st = EH_ERR;
    }
    if (stats != NULL)
        *stats = (struct eh_capture_stats){
            .packets = c->packets,
            .bytes = c->bytes,
            .dropped_kernel = ps.ps_drop,
            .dropped_iface = ps.ps_ifdrop,
        };
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
        eh_error_set(err, "rename %s to %s: %m", c->tmp_path, c->path);
        st = EH_ERR;
    }
    return st;
}

void eh_capture_free(struct eh_capture *c)
{
    if (c == NULL)
        return;
    if (c->running)
        eh_capture_stop(c, NULL, NULL);
    if (c->pcap != NULL)
        pcap_close(c->pcap);
    free(c->path);
    free(c->tmp_path);
    free(c);
}
