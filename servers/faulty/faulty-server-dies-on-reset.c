/* faulty-server-dies-on-reset.c - an echo server that exits when a client resets.
 *
 * The bug: a server that treats every socket error as fatal, as a Python
 * server without try/except around recv()/sendall() does: when a recv()
 * or send() on a connection fails with ECONNRESET (the client closed with
 * unread data, or aborted), the whole process exits with status 1 and
 * every other client is lost. Breaks the rule that one client's failure
 * ends that client's connection only. Same command line (--help) and event
 * log as echo-server, so the harness can run it in the reference build's
 * place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.dies_on_reset = true};
    return eh_server_main(argc, argv, &faults);
}
