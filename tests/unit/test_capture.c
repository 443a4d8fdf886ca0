/* test_capture.c - the capture module against a real loopback.
 *
 * Each test runs in libcheck's forked child, which moves into a private
 * network namespace (a user namespace first when not root) and brings its lo
 * up, so the capture sees only the test's own traffic. The TCP exchange is
 * with an echo server thread on 127.0.0.1. Where eh_isolate_probe() says
 * namespaces are unavailable (or EH_NO_NAMESPACES=1 says so), the whole
 * program is skipped: every test needs its private lo.
 */
#include "capture.h"
#include "isolate.h"
#include "unit.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* Moves this (forked, single-threaded) process into its own network
 * namespace with lo up. */
static void enter_private_netns(void)
{
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWNET) < 0) {
        ck_assert_msg(unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0, "unshare: %s", strerror(errno));
        char map[64];
        write_file("/proc/self/setgroups", "deny");
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
        write_file("/proc/self/uid_map", map);
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
        write_file("/proc/self/gid_map", map);
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    ck_assert_int_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
    ifr.ifr_flags |= IFF_UP;
    ck_assert_msg(ioctl(fd, SIOCSIFFLAGS, &ifr) == 0, "SIOCSIFFLAGS lo: %s", strerror(errno));
    close(fd);
}

static char *temp_pcap_path(void)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/test_capture.%d.pcap", (int)getpid());
    return path;
}

static int last_server_port; /* of the latest tcp_echo_exchange() */

/* Echo server thread: accepts one connection, echoes until EOF, closes. */
static void *echo_server(void *arg)
{
    int lfd = *(int *)arg;
    int fd = accept(lfd, NULL, NULL);
    char buf[4096];
    ssize_t n;
    while (fd >= 0 && (n = recv(fd, buf, sizeof(buf), 0)) > 0)
        send(fd, buf, (size_t)n, MSG_NOSIGNAL);
    close(fd);
    return NULL;
}

/* Connects to an in-test echo server on 127.0.0.1, sends len bytes, shuts
 * down writing and returns how many bytes came back before EOF. */
static size_t tcp_echo_exchange(size_t len)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(lfd, 1), 0);
    ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
    last_server_port = ntohs(sa.sin_port);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, echo_server, &lfd), 0);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    char buf[4096];
    memset(buf, 'e', len);
    ck_assert_int_eq(send(fd, buf, len, 0), (ssize_t)len);
    shutdown(fd, SHUT_WR);
    size_t got = 0;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
        got += (size_t)n;
    close(fd);
    pthread_join(t, NULL);
    close(lfd);
    return got;
}

/* Reads a pcap file back; returns its packet count and sums the captured
 * bytes. Fails on a barrier frame (ethertype 0x88B5): they are not written. */
static uint64_t count_packets(const char *path, uint64_t *bytes, int *linktype)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, errbuf);
    ck_assert_msg(p != NULL, "pcap_open_offline: %s", errbuf);
    *linktype = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t n = 0;
    *bytes = 0;
    while (pcap_next_ex(p, &h, &data) == 1) {
        n++;
        *bytes += h->caplen;
        ck_assert(h->caplen < 14 || data[12] != 0x88 || data[13] != 0xb5);
    }
    pcap_close(p);
    return n;
}

/* A capture of one echo exchange: every packet, in the file, none lost, and
 * the live view saw the server close its connection. */
static void check_echo_exchange(void)
{
    enter_private_netns();
    const char *path = temp_pcap_path();
    struct eh_capture *c;
    struct eh_error err = {0};
    ck_assert_msg(eh_capture_start("lo", NULL, path, &c, &err) == EH_OK, "%s", err.msg);
    ck_assert_uint_eq(tcp_echo_exchange(1000), 1000);
    struct eh_capture_live lv;
    int64_t until = eh_now_us() + eh_scaled_ms(2000) * 1000;
    do { /* the server's FIN is captured (a softirq after its close()) */
        eh_capture_live(c, last_server_port, &lv);
    } while (lv.tcp_closed < 1 && eh_now_us() < until && usleep(1000) == 0);
    ck_assert_uint_eq(lv.tcp_conns, 1);
    ck_assert_uint_eq(lv.tcp_closed, 1);
    ck_assert(!lv.tcp_untracked);
    struct eh_capture_stats st;
    ck_assert_msg(eh_capture_stop(c, &st, &err) == EH_OK, "%s", err.msg);
    eh_capture_free(c);

    /* SYN, SYN-ACK, ACK, data and echo with their ACKs, FIN/ACK each way:
     * about ten; the exact ACK pattern is the kernel's choice. */
    ck_assert_uint_ge(st.packets, 8);
    ck_assert_uint_le(st.packets, 30);
    ck_assert_uint_eq(st.dropped_kernel, 0);
    ck_assert_uint_eq(st.dropped_iface, 0);
    uint64_t bytes;
    int linktype;
    ck_assert_uint_eq(count_packets(path, &bytes, &linktype), st.packets);
    ck_assert_uint_eq(bytes, st.bytes);
    ck_assert_uint_gt(bytes, 2000); /* both copies of the payload */
    ck_assert_int_eq(linktype, DLT_EN10MB);
    char tmp[80];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    unlink(path);
}

START_TEST(test_capture_records_a_tcp_echo_exchange)
{
    check_echo_exchange();
}
END_TEST

/* The fallback where the socket's buffer cannot be raised: libpcap's ring. */
START_TEST(test_capture_ring_records_a_tcp_echo_exchange)
{
    setenv("EH_TEST_CAPTURE_RING", "1", 1);
    check_echo_exchange();
}
END_TEST

/* A datagram sent just before the stop is in the file: the stop waits for
 * what the kernel has queued (barrier frames), not for a quiet time. */
START_TEST(test_capture_stop_keeps_the_last_packet)
{
    enter_private_netns();
    const char *path = temp_pcap_path();
    struct eh_capture *c;
    struct eh_error err = {0};
    ck_assert_msg(eh_capture_start("lo", "udp", path, &c, &err) == EH_OK, "%s", err.msg);
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(sendto(tx, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)), 1);
    struct eh_capture_stats st;
    ck_assert_msg(eh_capture_stop(c, &st, &err) == EH_OK, "%s", err.msg);
    eh_capture_free(c);
    close(tx);
    ck_assert_uint_eq(st.packets, 50);
    unlink(path);
}
END_TEST

START_TEST(test_capture_filter_excludes_other_traffic)
{
    enter_private_netns();
    const char *path = temp_pcap_path();
    struct eh_capture *c;
    struct eh_error err = {0};
    ck_assert_msg(eh_capture_start("lo", "udp", path, &c, &err) == EH_OK, "%s", err.msg);
    tcp_echo_exchange(100);
    struct eh_capture_stats st;
    ck_assert_msg(eh_capture_stop(c, &st, &err) == EH_OK, "%s", err.msg);
    eh_capture_free(c);
    ck_assert_uint_eq(st.packets, 0);
    uint64_t bytes;
    int linktype;
    ck_assert_uint_eq(count_packets(path, &bytes, &linktype), 0);
    unlink(path);
}
END_TEST

START_TEST(test_capture_free_without_stop_keeps_the_file)
{
    enter_private_netns();
    const char *path = temp_pcap_path();
    struct eh_capture *c;
    struct eh_error err = {0};
    ck_assert_msg(eh_capture_start("lo", NULL, path, &c, &err) == EH_OK, "%s", err.msg);
    tcp_echo_exchange(10);
    eh_capture_free(c);
    uint64_t bytes;
    int linktype;
    ck_assert_uint_ge(count_packets(path, &bytes, &linktype), 8);
    unlink(path);
}
END_TEST

START_TEST(test_capture_bad_interface_is_named)
{
    enter_private_netns();
    struct eh_capture *c = (struct eh_capture *)&c;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_capture_start("eh-no-such0", NULL, temp_pcap_path(), &c, &err), EH_ERR);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err.msg, "capture on eh-no-such0: ") == err.msg, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "No such device") != NULL, "%s", err.msg);
    ck_assert_int_ne(access(temp_pcap_path(), F_OK), 0);
}
END_TEST

START_TEST(test_capture_bad_filter_is_named)
{
    enter_private_netns();
    struct eh_capture *c;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_capture_start("lo", "tcp port banana", temp_pcap_path(), &c, &err), EH_ERR);
    ck_assert_msg(strstr(err.msg, "capture filter \"tcp port banana\": ") == err.msg, "%s",
                  err.msg);
    ck_assert_int_ne(access(temp_pcap_path(), F_OK), 0);
}
END_TEST

START_TEST(test_capture_unwritable_path_is_named)
{
    enter_private_netns();
    struct eh_capture *c;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_capture_start("lo", NULL, "/nonexistent-dir/x.pcap", &c, &err), EH_ERR);
    ck_assert_msg(strstr(err.msg, "/nonexistent-dir/x.pcap.tmp: ") == err.msg, "%s", err.msg);
}
END_TEST

/* Sends COUNT datagrams of SIZE zero bytes over lo to a socket of its own,
 * reading them as they come when DRAIN says so (so that none is lost to a
 * full receive buffer); returns how many sendto() took whole. */
static int udp_burst(int count, size_t size, bool drain)
{
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    ck_assert_int_eq(bind(rx, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(getsockname(rx, (struct sockaddr *)&sa, &sl), 0);
    char *payload = calloc(1, size), *sink = malloc(size);
    ck_assert(payload != NULL && sink != NULL);
    int sent = 0;
    for (int i = 0; i < count; i++) {
        if (sendto(tx, payload, size, 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)size)
            sent++;
        while (drain && recv(rx, sink, size, MSG_DONTWAIT) > 0) {
        }
    }
    free(payload);
    free(sink);
    close(rx);
    close(tx);
    return sent;
}

/* A capture that cannot keep up reports what it lost: with the smallest
 * buffer and a thread that starts reading late (the test hooks), a burst of
 * datagrams overflows the buffer and the kernel counts the drops, with
 * either backend. */
static void check_drops(void)
{
    enter_private_netns();
    setenv("EH_TEST_CAPTURE_BUFFER_BYTES", "1", 1);
    setenv("EH_TEST_CAPTURE_STALL_MS", "300", 1);
    const char *path = temp_pcap_path();
    struct eh_capture *c;
    struct eh_error err = {0};
    ck_assert_msg(eh_capture_start("lo", "udp", path, &c, &err) == EH_OK, "%s", err.msg);
    int sent = udp_burst(4000, 8192, true);
    struct eh_capture_stats st;
    ck_assert_msg(eh_capture_stop(c, &st, &err) == EH_OK, "%s", err.msg);
    eh_capture_free(c);
    ck_assert_int_eq(sent, 4000);
    ck_assert_msg(st.dropped_kernel > 0, "no drop counted: %llu packets captured",
                  (unsigned long long)st.packets);
    ck_assert_uint_lt(st.packets, 4000);
    unlink(path);
}

START_TEST(test_capture_drops_are_counted)
{
    check_drops();
}
END_TEST

START_TEST(test_capture_ring_drops_are_counted)
{
    setenv("EH_TEST_CAPTURE_RING", "1", 1);
    check_drops();
}
END_TEST

/* Starts a capture cut to SNAPLEN bytes a frame (0: uncut), stalls its
 * thread for STALL_MS, sends COUNT datagrams of SIZE bytes and checks that
 * every frame was kept and none dropped. */
static void check_burst_held(int snaplen, const char *stall_ms, int count, size_t size)
{
    enter_private_netns();
    setenv("EH_TEST_CAPTURE_STALL_MS", stall_ms, 1);
    const char *path = temp_pcap_path();
    struct eh_capture *c;
    struct eh_error err = {0};
    ck_assert_msg(eh_capture_start_snaplen("lo", "udp", snaplen, path, &c, &err) == EH_OK, "%s",
                  err.msg);
    ck_assert_int_eq(udp_burst(count, size, true), count);
    struct eh_capture_stats st;
    ck_assert_msg(eh_capture_stop(c, &st, &err) == EH_OK, "%s", err.msg);
    eh_capture_free(c);
    ck_assert_msg(st.dropped_kernel == 0, "%llu of %d frames dropped",
                  (unsigned long long)st.dropped_kernel, count);
    ck_assert_uint_eq(st.packets, (unsigned)count);
    unlink(path);
}

/* A capture cut to 128 bytes a frame keeps up with a burst of large frames
 * while its thread does not run: 4000 datagrams of 60000 bytes (one frame
 * each on lo) sent while the thread stalls for 2 s. A socket's buffer is
 * charged the whole of each waiting frame, so its 32 MiB would hold some
 * 500 of them; the ring a cut capture uses stores 128 bytes of each. */
START_TEST(test_capture_cut_holds_a_burst)
{
    check_burst_held(128, "2000", 4000, 60000);
}
END_TEST

/* The ring, uncut (where the socket's buffer cannot be raised: as an
 * unprivileged user), holds a burst of small frames while its thread does
 * not run: 2000 datagrams of 100 bytes sent while the thread stalls for
 * 300 ms. */
START_TEST(test_capture_ring_holds_a_burst_of_small_frames)
{
    setenv("EH_TEST_CAPTURE_RING", "1", 1);
    check_burst_held(0, "300", 2000, 100);
}
END_TEST

/* EH_CAPTURE_MAX_MIB=1 and 3 MiB of UDP: the file stays within 1 MiB, holds
 * whole packets only, and the packets left out are counted. */
START_TEST(test_capture_file_is_capped)
{
    enter_private_netns();
    setenv("EH_CAPTURE_MAX_MIB", "1", 1);
    ck_assert_uint_eq(eh_capture_max_mib(), 1);
    const char *path = temp_pcap_path();
    struct eh_capture *c;
    struct eh_error err = {0};
    ck_assert_msg(eh_capture_start("lo", "udp", path, &c, &err) == EH_OK, "%s", err.msg);
    ck_assert_int_eq(udp_burst(384, 8192, true), 384); /* 3 MiB */
    struct eh_capture_stats st;
    ck_assert_msg(eh_capture_stop(c, &st, &err) == EH_OK, "%s", err.msg);
    eh_capture_free(c);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_msg(sb.st_size <= 1 << 20, "file of %lld bytes", (long long)sb.st_size);
    ck_assert_msg(sb.st_size > (1 << 20) - 9000, "file of %lld bytes", (long long)sb.st_size);
    uint64_t bytes;
    int linktype;
    ck_assert_uint_eq(count_packets(path, &bytes, &linktype), st.packets);
    /* Every packet is written, left out over the cap or (on a busy machine)
     * dropped by the kernel, which may count a packet it then delivered. */
    ck_assert_msg(st.packets + st.over_cap <= 384 &&
                      st.packets + st.over_cap + st.dropped_kernel >= 384,
                  "packets %llu, over the cap %llu, dropped %llu", (unsigned long long)st.packets,
                  (unsigned long long)st.over_cap, (unsigned long long)st.dropped_kernel);
    ck_assert_uint_gt(st.over_cap, 0);
    setenv("EH_CAPTURE_MAX_MIB", "0", 1); /* out of range: the default */
    ck_assert_uint_eq(eh_capture_max_mib(), 256);
    unlink(path);
}
END_TEST

/* A snap length of 128: every frame is written cut to 128 bytes, with its
 * length on the wire kept. */
START_TEST(test_capture_snaplen_cuts_frames)
{
    enter_private_netns();
    const char *path = temp_pcap_path();
    struct eh_capture *c;
    struct eh_error err = {0};
    ck_assert_msg(eh_capture_start_snaplen("lo", "udp", 128, path, &c, &err) == EH_OK, "%s",
                  err.msg);
    enum { PAYLOAD = 1000 };
    ck_assert_int_eq(udp_burst(10, PAYLOAD, false), 10);
    struct eh_capture_stats st;
    ck_assert_msg(eh_capture_stop(c, &st, &err) == EH_OK, "%s", err.msg);
    eh_capture_free(c);
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, errbuf);
    ck_assert_msg(p != NULL, "pcap_open_offline: %s", errbuf);
    struct pcap_pkthdr *h;
    const u_char *data;
    int n = 0;
    while (pcap_next_ex(p, &h, &data) == 1) {
        ck_assert_uint_eq(h->caplen, 128);
        ck_assert_uint_eq(h->len, 14 + 20 + 8 + PAYLOAD);
        n++;
    }
    pcap_close(p);
    ck_assert_int_eq(n, 10);
    ck_assert_uint_eq(st.bytes, 10 * 128);
    unlink(path);
}
END_TEST

int main(void)
{
    struct eh_error err = {0};
    if (eh_timeout_scale_from_env(&err) != EH_OK) { /* before the suite reads the scale */
        fprintf(stderr, "%s\n", err.msg);
        return EXIT_FAILURE;
    }
    char why[256];
    if (eh_isolate_probe(why, sizeof(why)) != EH_ISO_NAMESPACES)
        return eh_test_skip("namespaces unavailable here: %s", why);
    Suite *s = suite_create("capture");
    TCase *tc = tcase_create("capture");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_capture_records_a_tcp_echo_exchange);
    tcase_add_test(tc, test_capture_ring_records_a_tcp_echo_exchange);
    tcase_add_test(tc, test_capture_stop_keeps_the_last_packet);
    tcase_add_test(tc, test_capture_filter_excludes_other_traffic);
    tcase_add_test(tc, test_capture_free_without_stop_keeps_the_file);
    tcase_add_test(tc, test_capture_bad_interface_is_named);
    tcase_add_test(tc, test_capture_bad_filter_is_named);
    tcase_add_test(tc, test_capture_unwritable_path_is_named);
    tcase_add_test(tc, test_capture_drops_are_counted);
    tcase_add_test(tc, test_capture_ring_drops_are_counted);
    tcase_add_test(tc, test_capture_cut_holds_a_burst);
    tcase_add_test(tc, test_capture_ring_holds_a_burst_of_small_frames);
    tcase_add_test(tc, test_capture_file_is_capped);
    tcase_add_test(tc, test_capture_snaplen_cuts_frames);
    suite_add_tcase(s, tc);
    return eh_test_run(s, CK_FORK); /* every test leaves its namespace with its child */
}
