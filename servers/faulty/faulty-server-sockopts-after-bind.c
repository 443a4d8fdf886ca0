/* faulty-server-sockopts-after-bind.c - an echo server that sets bind()'s options too late.
 *
 * The bug: SO_REUSEADDR (--reuseaddr) and IPV6_V6ONLY (--v6only) are set
 * after bind() instead of before, and what setsockopt() returns is not
 * checked. SO_REUSEADDR then does nothing for the bind it was meant for (a
 * restarted server still gets EADDRINUSE from its old connections in
 * TIME_WAIT), and IPV6_V6ONLY fails with EINVAL on a bound socket (the
 * listener on :: keeps taking IPv4 clients). Same command line (--help)
 * and event log as echo-server, so the harness can run it in the reference
 * build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.sockopts_after_bind = true};
    return eh_server_main(argc, argv, &faults);
}
