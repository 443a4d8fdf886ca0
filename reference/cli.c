/* cli.c - the command-line options the server and the client share.
 *
 * See cli.h.
 */
#include "cli.h"

#include "addr.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

void eh_endpoint_init(struct eh_endpoint *ep)
{
    *ep = (struct eh_endpoint){
        .host = NULL,
        .port = 65432,
        .sock_type = SOCK_STREAM,
        .family = AF_UNSPEC,
        .io = {.mode = EH_IO_BLOCKING, .timeout_ms = -1, .send_flags = MSG_NOSIGNAL},
        .log_path = NULL,
    };
}

bool eh_cli_long(const char *prog, const char *name, const char *arg, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "%s: --%s: expected an integer from %ld to %ld, got '%s'\n", prog, name,
                min, max, arg);
        return false;
    }
    *out = v;
    return true;
}

/* "--transport tcp|udp" into *sock_type. */
static bool parse_transport(const char *prog, const char *arg, int *sock_type)
{
    if (strcmp(arg, "tcp") != 0 && strcmp(arg, "udp") != 0) {
        fprintf(stderr, "%s: --transport: expected tcp or udp, got '%s'\n", prog, arg);
        return false;
    }
    *sock_type = strcmp(arg, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM;
    return true;
}

/* "--family ipv4|ipv6" into *family. */
static bool parse_family(const char *prog, const char *arg, int *family)
{
    if (strcmp(arg, "ipv4") != 0 && strcmp(arg, "ipv6") != 0) {
        fprintf(stderr, "%s: --family: expected ipv4 or ipv6, got '%s'\n", prog, arg);
        return false;
    }
    *family = strcmp(arg, "ipv6") == 0 ? AF_INET6 : AF_INET;
    return true;
}

int eh_endpoint_option(struct eh_endpoint *ep, const char *prog, int id, const char *arg)
{
    if (id < EH_OPT_HOST || id >= EH_ENDPOINT_OPT_END)
        return 0;
    long v;
    bool ok = true;
    switch ((enum eh_endpoint_opt)id) {
    case EH_OPT_HOST:
        ep->host = arg;
        break;
    case EH_OPT_PORT:
        ok = eh_cli_long(prog, "port", arg, 0, 65535, &v);
        ep->port = ok ? (int)v : ep->port;
        break;
    case EH_OPT_TRANSPORT:
        ok = parse_transport(prog, arg, &ep->sock_type);
        break;
    case EH_OPT_FAMILY:
        ok = parse_family(prog, arg, &ep->family);
        break;
    case EH_OPT_MODE:
        ok = eh_io_mode_parse(arg, &ep->io.mode);
        if (!ok)
            fprintf(stderr, "%s: --mode: expected blocking, nonblocking or timeout, got '%s'\n",
                    prog, arg);
        break;
    case EH_OPT_TIMEOUT_MS:
        ok = eh_cli_long(prog, "timeout-ms", arg, 1, INT_MAX, &v);
        ep->io.timeout_ms = ok ? (int)v : ep->io.timeout_ms;
        break;
    case EH_OPT_LOG:
        ep->log_path = arg;
        break;
    }
    return ok ? 1 : -1;
}

bool eh_endpoint_resolve(struct eh_endpoint *ep, const char *prog, struct sockaddr_storage *addr)
{
    if (ep->family == AF_UNSPEC)
        ep->family = eh_addr_guess_family(ep->host);
    if (ep->host == NULL)
        ep->host = ep->family == AF_INET6 ? "::1" : "127.0.0.1";
    if (ep->io.mode == EH_IO_TIMEOUT && ep->io.timeout_ms < 0)
        ep->io.timeout_ms = EH_DEFAULT_TIMEOUT_MODE_MS;
    int rc = eh_addr_resolve(ep->host, ep->port, ep->family, addr);
    if (rc != 0) {
        fprintf(stderr, "%s: --host '%s' (%s): %s\n", prog, ep->host,
                ep->family == AF_INET6 ? "ipv6" : "ipv4", gai_strerror(rc));
        return false;
    }
    return true;
}

void eh_endpoint_help(FILE *out)
{
    fputs("  --host H           address (default 127.0.0.1, or ::1 with --family ipv6)\n"
          "  --port P           port, 0..65535 (default 65432)\n"
          "  --transport T      tcp (default) or udp\n"
          "  --family F         ipv4 (default) or ipv6; guessed from --host if absent\n"
          "  --mode M           blocking (default), nonblocking (poll-driven, logs each\n"
          "                     EAGAIN) or timeout (SO_RCVTIMEO)\n"
          "  --timeout-ms N     time limit of each wait in nonblocking and timeout mode\n"
          "                     (default: none in nonblocking mode, 1000 in timeout mode)\n"
          "  --log FILE         write the event log (JSON Lines, one line per socket call)\n",
          out);
}
