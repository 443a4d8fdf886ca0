/* hostile-closes-output.c - a server that closes its stdout and stderr.
 *
 * Closes both before it listens, so its listening socket takes descriptor 1
 * and its first connection descriptor 2 (and its "listening on" line goes to
 * a socket, where it fails), then serves like echo-server. Proves that
 * output pipes closed at once neither stop nor confuse the harness.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.close_output = true};
    return eh_server_main(argc, argv, &faults);
}
