/* hostile-never-accepts.c - a server that listens and never accepts.
 *
 * Listens (the kernel completes connections into its backlog), signals
 * ready and then waits for SIGTERM without ever calling accept(), whatever
 * the options say. Proves that a client left waiting for an echo that never
 * comes is stopped at the scenario's deadline.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.never_accept = true};
    return eh_server_main(argc, argv, &faults);
}
