/* vocab.h - the words every layer shares: roles, transports, families, close
 * classes, echo verdicts and scenario verdicts, with their names.
 *
 * Each enum has one table of names (vocab.c), used by the scenario loader,
 * the wire analysis, the verdicts and every report writer alike, so a name
 * is spelled the same way in a scenario file, a reason and a report. Every
 * layer may include this header; it depends on nothing.
 */
#ifndef EH_VOCAB_H
#define EH_VOCAB_H

#include <stdbool.h>

/* The two roles of an echo exchange. */
enum eh_role_id {
    EH_SERVER,
    EH_CLIENT,
};
#define EH_ROLE_COUNT 2
const char *eh_role_name(enum eh_role_id r); /* "server", "client" */

enum eh_transport {
    EH_TCP,
    EH_UDP,
};
#define EH_TRANSPORT_COUNT 2
const char *eh_transport_name(enum eh_transport t); /* "tcp", "udp" */

enum eh_family {
    EH_IPV4,
    EH_IPV6,
};
#define EH_FAMILY_COUNT 2
const char *eh_family_name(enum eh_family f); /* "ipv4", "ipv6" */

/* The sender of a packet as the wire analysis sees it (who opened the
 * connection, or sent the first datagram, is the client). */
enum eh_side {
    EH_SIDE_CLIENT,
    EH_SIDE_SERVER,
};
const char *eh_side_name(enum eh_side s); /* "client", "server" */

/* How a TCP connection ended on the wire; the rules are in flow.h. */
enum eh_close_class {
    EH_CLOSE_GRACEFUL,
    EH_CLOSE_HALF_CLOSED,
    EH_CLOSE_UNFINISHED,
    EH_CLOSE_CLIENT_RESET,
    EH_CLOSE_SERVER_RESET,
    EH_CLOSE_CLIENT_ABORT,
    EH_CLOSE_SERVER_ABORT,
    EH_CLOSE_REFUSED,
    EH_CLOSE_UNANSWERED,
};
#define EH_CLOSE_COUNT 9
const char *eh_close_name(enum eh_close_class c); /* "graceful", "half-closed", ... */
/* Parses a name from eh_close_name(); returns false if unknown. */
bool eh_close_parse(const char *name, enum eh_close_class *out);

/* The server's stream compared with the client's; the rules are in flow.h. */
enum eh_wire_echo {
    EH_WIRE_EXACT,
    EH_WIRE_PREFIX,
    EH_WIRE_DIFFERS,
    EH_WIRE_EXTRA,
    EH_WIRE_NONE,
    EH_WIRE_EMPTY,
    EH_WIRE_UNVERIFIED,
};
#define EH_WIRE_ECHO_COUNT 7
const char *eh_wire_echo_name(enum eh_wire_echo v); /* "exact", "prefix", ... */
/* Parses a name from eh_wire_echo_name(); returns false if unknown. */
bool eh_wire_echo_parse(const char *name, enum eh_wire_echo *out);

/* Verdicts, shared by the verdict logic and every report writer. */
enum eh_verdict {
    EH_PASS,
    EH_FAIL,
    EH_ERROR,     /* the harness or the set-up failed */
    EH_TIMED_OUT, /* a deadline passed (named "TIMEOUT" in reports) */
    EH_SKIP,      /* not judged, with a reason */
};
#define EH_VERDICT_COUNT 5
const char *eh_verdict_name(enum eh_verdict v); /* "PASS", "FAIL", ... (never NULL) */
/* Parses a name from eh_verdict_name(); returns false if unknown. */
bool eh_verdict_parse(const char *name, enum eh_verdict *out);

/* The name tables themselves, indexed by the enum and ending with NULL, for
 * code that lists or matches every name (the scenario loader's messages). */
extern const char *const eh_role_names[EH_ROLE_COUNT + 1];
extern const char *const eh_transport_names[EH_TRANSPORT_COUNT + 1];
extern const char *const eh_family_names[EH_FAMILY_COUNT + 1];

#endif
