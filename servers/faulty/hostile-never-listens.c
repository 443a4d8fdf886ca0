/* hostile-never-listens.c - a server that never becomes ready.
 *
 * Parses the echo-server command line, then sleeps until SIGTERM without
 * creating a socket or closing its ready fd. Proves that the harness's
 * readiness wait has a deadline.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.never_listen = true};
    return eh_server_main(argc, argv, &faults);
}
