/* cli.h - the command-line options the server and the client share.
 *
 * Both reference builds take --host, --port, --transport, --family, --mode,
 * --timeout-ms and --log with the same meaning; the harness passes them the
 * same way to either. Each program keeps its own getopt_long() loop, whose
 * option table gives each option an id (struct option's val), and hands
 * every id here first.
 */
#ifndef EH_CLI_H
#define EH_CLI_H

#include "io.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#define EH_DEFAULT_TIMEOUT_MODE_MS 1000 /* --mode timeout without --timeout-ms */

struct eh_endpoint {
    const char *host;     /* as given; NULL: 127.0.0.1 or ::1 for the family */
    int port;             /* 0..65535 */
    int sock_type;        /* SOCK_STREAM (tcp) or SOCK_DGRAM (udp) */
    int family;           /* AF_INET, AF_INET6, or AF_UNSPEC: guessed from host */
    struct eh_io io;      /* --mode, --timeout-ms (timeout_ms < 0: not given) */
    const char *log_path; /* --log; NULL: no event log */
};

/* Defaults: 127.0.0.1:65432 (the tutorial's), tcp, blocking, no log. */
void eh_endpoint_init(struct eh_endpoint *ep);

/* The getopt_long() val of each shared option. The values lie above every
 * char, so they never meet the '?' of an unknown option; a program numbers
 * its own options on from EH_ENDPOINT_OPT_END. */
enum eh_endpoint_opt {
    EH_OPT_HOST = 256,
    EH_OPT_PORT,
    EH_OPT_TRANSPORT,
    EH_OPT_FAMILY,
    EH_OPT_MODE,
    EH_OPT_TIMEOUT_MS,
    EH_OPT_LOG,
};
#define EH_ENDPOINT_OPT_END (EH_OPT_LOG + 1) /* the first option id a program may use */

/* The struct option entries of the shared options, for a program's table;
 * eh_endpoint_option() parses them. */
#define EH_ENDPOINT_OPTIONS                                                                        \
    {"host", required_argument, NULL, EH_OPT_HOST},                                                \
        {"port", required_argument, NULL, EH_OPT_PORT},                                            \
        {"transport", required_argument, NULL, EH_OPT_TRANSPORT},                                  \
        {"family", required_argument, NULL, EH_OPT_FAMILY},                                        \
        {"mode", required_argument, NULL, EH_OPT_MODE},                                            \
        {"timeout-ms", required_argument, NULL, EH_OPT_TIMEOUT_MS},                                \
    {                                                                                              \
        "log", required_argument, NULL, EH_OPT_LOG                                                 \
    }

/* If id (what getopt_long() returned) is a shared option, stores arg and
 * returns 1; returns 0 if it is not one of them, -1 if arg is invalid (a
 * message naming prog and the option went to stderr). */
int eh_endpoint_option(struct eh_endpoint *ep, const char *prog, int id, const char *arg);

/* Settles the defaults that depend on other options (the family from the
 * host, the host from the family, the timeout of timeout mode) and resolves
 * host:port into *addr. Returns false after printing a message to stderr. */
bool eh_endpoint_resolve(struct eh_endpoint *ep, const char *prog, struct sockaddr_storage *addr);

/* Prints the help lines of the shared options. */
void eh_endpoint_help(FILE *out);

/* Parses a decimal integer in [min, max] for option name. Returns false
 * after printing a message to stderr. */
bool eh_cli_long(const char *prog, const char *name, const char *arg, long min, long max,
                 long *out);

#endif
