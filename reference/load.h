/* load.h - the reference client's load mode: many connections, every byte checked.
 *
 * echo-client --load N runs eh_load_run(): N TCP connections at once, all
 * non-blocking under one epoll set in one thread, each echoing
 * bytes_per_conn bytes as requests of chunk_bytes: a connection sends one
 * request, waits for its whole echo, checks it and sends the next. The bytes
 * of connection i (from 0) are those of --payload-random bytes_per_conn
 * --seed seed+i (prng.h), and every byte that comes back is compared with
 * the byte sent at its offset, so a byte lost, changed, duplicated,
 * reordered or delivered to the wrong connection is found and named. The
 * first such error, a connection refused, reset or closed early, or no
 * progress for timeout_ms, ends the run with status 1.
 *
 * It raises RLIMIT_NOFILE to the hard limit first (N connections need N
 * descriptors; the soft limit is often 1024), and fails at once, saying so,
 * if the hard limit is too low.
 *
 * Output on stdout, when every connection finished:
 *   load: 1000 connections x 1048576 bytes in requests of 16384 bytes, seeds 1..1000
 *   load: 1073741824 bytes echoed and checked in 2.841 s: 360.4 MiB/s each way
 *   load: round trip of a request: p50 412 us, p99 3810 us, max 9120 us (65536 requests)
 * The round trip of a request runs from its first send() to the recv()
 * that completes its echo; percentiles come from a histogram whose buckets
 * are within 1/64 (1.6 %) of their value.
 *
 * Event log (--log): socket, connect, getsockopt(SO_ERROR) and getsockname
 * of every connection, its conn_end ("done", "eof" or an errno name) and
 * close, and the exit; not the sends and receives, whose events (hundreds of
 * thousands for a gigabyte) would cost more than the echo itself.
 */
#ifndef EH_LOAD_H
#define EH_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define EH_LOAD_MAX_CONNECTIONS 100000
#define EH_LOAD_MAX_BYTES_PER_CONN (1L << 30)
#define EH_LOAD_MAX_CHUNK_BYTES (16L << 20)
#define EH_LOAD_DEFAULT_BYTES_PER_CONN (1L << 20)
#define EH_LOAD_DEFAULT_CHUNK_BYTES 16384

struct eh_load_spec {
    const char *prog;             /* for messages */
    struct sockaddr_storage addr; /* the server */
    long connections;             /* 1..EH_LOAD_MAX_CONNECTIONS */
    long bytes_per_conn;          /* 1..EH_LOAD_MAX_BYTES_PER_CONN */
    long chunk_bytes;             /* 1..EH_LOAD_MAX_CHUNK_BYTES */
    uint64_t seed;                /* connection i uses seed + i */
    int timeout_ms;               /* fail after this long without progress; < 0: never */
};

/* Runs the load. Returns the exit status: 0 when every connection echoed
 * every byte, 1 otherwise (a message naming the connection, its local port
 * and what went wrong went to stderr). */
int eh_load_run(const struct eh_load_spec *spec);

#endif
