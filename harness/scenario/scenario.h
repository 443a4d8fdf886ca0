/* scenario.h - a scenario file loaded into plain C structs.
 *
 * scenario.c reads one JSON file (format: scenarios/README.md), validates
 * every key, type and range, and fills struct eh_scenario. No json_t escapes
 * the module. Errors name the file, the line and column of the offending
 * value and its JSON path:
 *   scenarios/x.json:12:7: $.client.steps[2].recv.up_to: expected integer, got string
 */
#ifndef EH_SCENARIO_H
#define EH_SCENARIO_H

#include "eh.h"
#include "vocab.h"

#include <stdint.h>

#define EH_DEFAULT_PORT 65432       /* the tutorial's port */
#define EH_DEFAULT_TIMEOUT_MS 10000 /* per scenario, before the timeout scale */
#define EH_DEFAULT_AWAIT_MS 2000    /* await_server's limit, before the timeout scale */
#define EH_DEFAULT_SNAPLEN 262144   /* bytes of each packet captured: all of it */
#define EH_MIN_SNAPLEN 128          /* enough for the Ethernet, IPv6 and TCP headers */
/* The largest scenario file loaded (scenarios/README.md says why); a larger
 * one is refused before it is read. */
#define EH_SCENARIO_MAX_BYTES (1024 * 1024)

/* Scripted client steps (run by peer.c). */
enum eh_step_kind {
    EH_STEP_CONNECT,
    EH_STEP_SEND,
    EH_STEP_RECV,
    EH_STEP_SHUTDOWN_WRITE,
    EH_STEP_CLOSE,
    EH_STEP_ABORT, /* SO_LINGER {1,0} then close: sends RST */
    EH_STEP_SLEEP,
    EH_STEP_NODELAY,      /* TCP_NODELAY on: each send() leaves as its own segment */
    EH_STEP_STREAM,       /* send the bytes while reading the echo, in one poll loop */
    EH_STEP_CLIENTS,      /* count connections at once, each with its own bytes, interleaved */
    EH_STEP_REPEAT,       /* the nested steps, `count` times over */
    EH_STEP_AWAIT_SERVER, /* wait until the server's event log holds a matching entry */
    EH_STEP_PAUSE_SERVER, /* the nested steps, with the server's processes stopped */
};
const char *eh_step_name(enum eh_step_kind k); /* the JSON key: "connect", "send", ... */

enum eh_recv_mode {
    EH_RECV_UP_TO,     /* one recv(up_to) */
    EH_RECV_EXACTLY,   /* recv until exactly N bytes or EOF/error */
    EH_RECV_UNTIL_EOF, /* recv until 0 or error */
};

#define EH_MAX_CHUNKS 64 /* piece sizes in one "chunk" list */

struct eh_match;

struct eh_step {
    enum eh_step_kind kind;
    char path[64];                /* "$.client.steps[2]", for messages */
    unsigned char *data;          /* send, stream: the bytes of text or hex (NULL when random) */
    size_t data_len;              /* send, stream: bytes */
    bool random;                  /* send, stream: data_len seeded random bytes of seed, made when
                                   * the step runs (eh_step_bytes()), not held by the loaded file */
    size_t chunks[EH_MAX_CHUNKS]; /* send, stream, clients: piece sizes, cycled (UDP: datagrams) */
    size_t n_chunks;              /* 0: send and UDP: one piece; stream, clients TCP: 65536 */
    int64_t pause_ms;             /* send, stream, clients: wait after each piece */
    enum eh_recv_mode recv_mode;
    size_t recv_bytes;     /* recv: N for up_to / exactly; 0 for until_eof */
    int64_t timeout_ms;    /* recv, stream, clients: the step's own limit; 0: the scenario's */
    int64_t sleep_ms;      /* sleep, await_server: milliseconds, before the timeout scale */
    size_t read_size;      /* stream: bytes per recv() (65536 unless given) */
    int64_t read_delay_ms; /* stream: no recv() before this much time has passed */
    int64_t read_pause_ms; /* stream: wait after each recv() */
    bool shutdown;         /* stream: shutdown(SHUT_WR) after the last byte, then read to EOF */
    int64_t count;         /* clients: connections; repeat: times */
    size_t client_bytes;   /* clients: bytes each client sends */
    uint64_t seed;         /* send, stream when random: the seed; clients: client i (from 1)
                            * sends the random bytes of seed + i - 1 */
    struct eh_step *steps; /* repeat: the steps repeated (no repeat among them);
                            * pause_server: the steps run while the server is stopped */
    size_t n_steps;
    struct eh_match *await; /* await_server: the entry to wait for; owned */
};

struct eh_role {
    bool present;    /* the client always is; the server unless "absent" */
    bool under_test; /* --server-cmd / --client-cmd replaces this role */
    bool no_ready;   /* server: expected to end without becoming ready ("ready": false) */
    char *program;   /* reference build in build/bin ("echo-server", "echo-client") */
    char **args;     /* extra arguments for the reference build */
    size_t n_args;
    struct eh_step *steps; /* client only: a scripted peer replaces the program */
    size_t n_steps;
};

/* Matches one event-log entry (format: scenarios/README.md "Event log"). */
struct eh_match {
    char *call;   /* "send", "recv", "conn_end", ...; NULL matches any */
    bool has_ret; /* ret == ret */
    int64_t ret;
    bool has_ret_min; /* ret >= ret_min */
    int64_t ret_min;
    bool has_ret_max; /* ret <= ret_max */
    int64_t ret_max;
    char **errnos; /* errno name is one of these ("EPIPE"); n_errnos 0: not checked */
    size_t n_errnos;
    char **reasons; /* conn_end reason is one of these ("eof", "EPIPE"); 0: not checked */
    size_t n_reasons;
    char *laddr;      /* "127.0.0.1:65432", "[::ffff:127.0.0.1]:*" (any port); NULL: not checked */
    char *raddr;      /* the same for raddr */
    bool has_elapsed; /* elapsed_us within near_ms +- tolerance_ms (scaled) */
    int64_t elapsed_near_ms;
    int64_t elapsed_tolerance_ms; /* before the timeout scale */
    bool elapsed_near_scaled;     /* near_ms is scaled too (a wait the harness made) */
};

enum eh_expect_kind {
    EH_EXPECT_EXIT,        /* exit code in codes, or killed by a signal in signals */
    EH_EXPECT_SURVIVED,    /* not killed by a signal before teardown; exit 0 if it exited */
    EH_EXPECT_EVENT,       /* between min and max events match */
    EH_EXPECT_SEQUENCE,    /* the matchers match events in this order (gaps allowed) */
    EH_EXPECT_ECHO,        /* the client's received bytes against its sent bytes */
    EH_EXPECT_CLIENT_PORT, /* client's local port inside ip_local_port_range */
    EH_EXPECT_MIRROR,      /* accept() peer == client getsockname(), local/remote mirrored */
    /* Judged from the capture (flow.h), so also for roles under test: */
    EH_EXPECT_WIRE_ECHO,        /* each connection's echo verdict fits the relation */
    EH_EXPECT_WIRE_CLIENT_PORT, /* client ports in range and equal to what the logs say */
    EH_EXPECT_WIRE_SEGMENTS,    /* largest payload segment one side sent */
    EH_EXPECT_WIRE_CLOSE,       /* close classification, who closed first, data after close */
    EH_EXPECT_WIRE_CONNECTIONS, /* number of TCP connections (udp: exchanges) */
    EH_EXPECT_WIRE_SYN,         /* connections left unanswered or refused */
    EH_EXPECT_WIRE_UDP,         /* every reply paired with a request of its size */
    /* Judged from the scripted peer's per-connection records, so the server may be under test: */
    EH_EXPECT_CONN_ECHO,          /* each connection got back exactly its own bytes */
    EH_EXPECT_CLIENTS_SERVED,     /* every connection attempted got its whole echo */
    EH_EXPECT_CLIENTS_CONCURRENT, /* no client's echo waited for another client to finish */
    EH_EXPECT_DATAGRAM_ECHO,      /* each reply is its own request: size, bytes, boundaries */
    /* Judged from what the runner saw of the server process: */
    EH_EXPECT_SERVER_FDS,     /* the server's open descriptors grew by at most max_growth */
    EH_EXPECT_SERVER_RUNNING, /* the server still ran when the client side finished */
    /* How the roles start and end (verdict_roles.c): */
    EH_EXPECT_CLIENT_ENDS,            /* the client ends on its own, in time, with this status */
    EH_EXPECT_SERVER_PORT,            /* the port the server reported lies in ip_local_port_range */
    EH_EXPECT_WIRE_CLIENT_READS_ECHO, /* the client's kernel never reset: it read the echo */
};
const char *eh_expect_name(enum eh_expect_kind k); /* the JSON key: "exit", "survived", ... */

enum eh_echo_relation {
    EH_ECHO_EXACT,           /* received == sent */
    EH_ECHO_PREFIX,          /* received is a prefix of sent (may be empty) */
    EH_ECHO_NONEMPTY_PREFIX, /* received is a non-empty prefix of sent */
};
const char *
eh_echo_relation_name(enum eh_echo_relation r); /* "exact", "prefix", "nonempty_prefix" */

/* client_ends: what the client met before it should end. */
enum eh_client_after {
    EH_AFTER_ECHO,         /* the whole echo came back */
    EH_AFTER_SERVER_CLOSE, /* the server closed first (FIN) */
    EH_AFTER_REFUSED,      /* its connection was refused (RST to its SYN) */
    EH_AFTER_NO_REPLY,     /* UDP: its datagrams got no reply */
};
/* "echo", "server_close", "refused", "no_reply" */
const char *eh_client_after_name(enum eh_client_after a);

/* client_ends: the exit status it should end with. */
enum eh_exit_status {
    EH_STATUS_ZERO,
    EH_STATUS_NONZERO,
    EH_STATUS_ANY,
};
const char *eh_exit_status_name(enum eh_exit_status s); /* "zero", "nonzero", "any" */

#define EH_MAX_OUTCOMES 16

struct eh_expect {
    enum eh_expect_kind kind;
    char path[64];              /* "$.expect[3]", for messages and reports */
    enum eh_role_id who;        /* exit, survived, event, sequence; wire_segments "from" */
    int codes[EH_MAX_OUTCOMES]; /* exit: allowed exit codes */
    size_t n_codes;
    int signals[EH_MAX_OUTCOMES]; /* exit: allowed terminating signals */
    size_t n_signals;
    struct eh_match match; /* event */
    int64_t min;           /* event, wire_connections, clients_served: at least (default 1) */
    int64_t max;           /* event, wire_connections: at most; -1 unbounded (default) */
    struct eh_match *seq;  /* sequence */
    size_t n_seq;
    enum eh_echo_relation relation; /* echo, wire_echo */
    enum eh_transport transport; /* wire kinds: the scenario's (TCP connections or UDP exchanges) */
    int64_t max_payload;         /* wire_segments: bytes; the side is `who` ("from") */
    unsigned close_classes;      /* wire_close: bit (1u << enum eh_close_class) per allowed class */
    bool has_first_close_by;     /* wire_close: first_close_by given */
    enum eh_role_id first_close_by; /* wire_close: sender of the first FIN or RST */
    bool has_data_after_close;      /* wire_close: data_after_close given */
    bool data_after_close;          /* wire_close */
    int64_t unanswered_min;         /* wire_syn: -1 when not given */
    int64_t refused_min;            /* wire_syn: -1 when not given */
    int64_t conn;                   /* conn_echo: the connection judged (from 1); 0: every one */
    bool eof;                       /* conn_echo: the server's EOF must follow the echo */
    int64_t max_growth;             /* server_fds: descriptors, after minus before */
    bool has_echo_bytes;            /* wire_echo: "bytes" given */
    int64_t echo_bytes;             /* wire_echo: bytes the client sent on each connection */
    enum eh_client_after after;     /* client_ends */
    enum eh_exit_status status;     /* client_ends */
    int64_t within_ms;              /* client_ends: before the timeout scale */
};

/* Network conditions set inside the scenario's own namespace before anything
 * runs (netcond.h applies them). Zero fields leave that condition alone. */
struct eh_netcond {
    bool given;          /* the scenario has a "network" object */
    int mtu;             /* lo's MTU, bytes (68..65536; 1280.. for IPv6); 0: unchanged */
    int loss_percent;    /* packets dropped at random, 0..100 */
    int delay_ms;        /* added to every packet (netem), 0..10000 */
    int reorder_percent; /* packets sent at once instead of delayed (netem), 0..100 */
};

struct eh_scenario {
    char *name; /* the file stem: "basic-echo" */
    char *path; /* as given on the command line */
    char *description;
    char *kind; /* "behaviour" or "conformance" */
    char **tags;
    size_t n_tags;
    enum eh_transport transport;
    enum eh_family family;
    char *host;              /* address the server binds and the client connects to */
    int port;                /* 0..65535; the server's port */
    int64_t timeout_ms;      /* whole-scenario deadline before the timeout scale */
    int64_t snaplen;         /* bytes of each packet the capture keeps */
    bool client_port_window; /* narrow ip_local_port_range to a random window first */
    struct eh_netcond network;
    struct eh_role roles[EH_ROLE_COUNT];
    struct eh_expect *expects;
    size_t n_expects;
};

/* Loads and validates one scenario file. On success *out is owned by the
 * caller (free with eh_scenario_free()). On failure returns EH_ERR with a
 * message "FILE:LINE:COL: $.json.path: what was expected, what was found"
 * in err (the line and column of the offending value). A file above
 * EH_SCENARIO_MAX_BYTES is refused with its size. Messages, the scenario's
 * path and its name show bytes of the file name that are not printable
 * ASCII as \xNN. */
eh_status eh_scenario_load(const char *path, struct eh_scenario **out, struct eh_error *err);

/* The same for the text of a scenario file already in memory: len bytes
 * followed by a NUL (text[len] == '\0'), of any size. path names the file in
 * messages and gives the scenario its name and path, as in
 * eh_scenario_load(), but as given: the caller escapes it if it must. */
eh_status eh_scenario_load_text(const char *path, const char *text, size_t len,
                                struct eh_scenario **out, struct eh_error *err);

/* Releases a scenario; accepts NULL. */
void eh_scenario_free(struct eh_scenario *sc);

/* The bytes a send or stream step sends: st->data, or for a random payload
 * a new buffer holding its seeded bytes (as echo-client --payload-random),
 * which *owned also points to and the caller frees with free(). *owned is
 * NULL when nothing was allocated. Returns NULL, with *owned NULL, when
 * the step has no bytes or the buffer cannot be allocated. Loading leaves
 * random payloads unmade so that a folder of scenarios with 16 MiB streams
 * costs no memory until one of them runs. */
const unsigned char *eh_step_bytes(const struct eh_step *st, unsigned char **owned);

/* True if the scenario carries the tag. */
bool eh_scenario_has_tag(const struct eh_scenario *sc, const char *tag);

/* Expands the arguments (files and directories, recursively, *.json sorted by
 * path) into a list of scenario file paths. Caller frees each string and the
 * array with free(). Returns EH_ERR naming a path that does not exist, or a
 * directory that holds no *.json file. */
eh_status eh_scenario_find(char *const *args, size_t n_args, char ***paths_out, size_t *n_out,
                           struct eh_error *err);

/* Internal, exposed for tests: finds where the value at a JSON path
 * ("$", "$.client.steps[2].recv") starts in text, JSON that jansson accepted
 * (NUL-terminated). With key true and a path naming an object member, gives
 * where the member's name starts instead. line and col count from 1; col
 * counts UTF-8 characters, as jansson's error positions do. Returns false if
 * the path is not in text. */
bool eh__json_locate(const char *text, const char *path, bool key, int *line, int *col);

#endif
