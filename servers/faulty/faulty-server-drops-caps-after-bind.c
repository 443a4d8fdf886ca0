/* faulty-server-drops-caps-after-bind.c - an echo server that gives up privilege too late.
 *
 * The bug: --unprivileged ("run as an ordinary user would") drops every
 * capability after bind() instead of before socket(). bind() still runs
 * with CAP_NET_BIND_SERVICE, so port 80 is granted where an ordinary
 * user's program gets EACCES: the server never meets the rule it was asked
 * to be judged by (the order a daemon uses on purpose to get port 80, here
 * by mistake). Same command line (--help) and event log as echo-server, so
 * the harness can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.drops_caps_after_bind = true};
    return eh_server_main(argc, argv, &faults);
}
