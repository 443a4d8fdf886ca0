/* faulty-server-swapped-addr.c - an echo server that mis-reports its addresses.
 *
 * The bug: the accept event of its log carries the local and the remote
 * address the wrong way round. Proves that the mirror expectation compares
 * both sides. Same command line (--help) and event log as echo-server, so
 * the harness can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.swap_accept_addrs = true};
    return eh_server_main(argc, argv, &faults);
}
