/* hostile-hangs-after-accept.c - a server that accepts and then does nothing.
 *
 * Listens, signals ready, accepts one connection, then sleeps until SIGTERM
 * without reading or closing. Proves that the harness stops a scenario
 * whose server hangs.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.hang_after_accept = true};
    return eh_server_main(argc, argv, &faults);
}
