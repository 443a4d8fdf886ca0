/* hostile-daemonizes.c - a server that forks a daemon which keeps the port.
 *
 * Once listening it daemonizes the classic way (fork, setsid, fork again,
 * standard streams to /dev/null): the first process exits 0 and the daemon,
 * in its own session and out of the harness's process group, serves on with
 * the listening socket. Proves that the harness still judges the echo and
 * leaves no daemon behind, in either isolation mode.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.daemonizes = true};
    return eh_server_main(argc, argv, &faults);
}
