/* faulty-server-reads-once-closes.c - an echo server that answers one recv() and hangs up.
 *
 * The bug: a request/response server taken for an echo server: it calls
 * recv() once, sends back what came, and closes the connection, as an HTTP
 * server without keep-alive would. A client that sends one short message
 * gets it back (who sends FIN first is then a race); a client that sends a
 * second message after a pause finds the connection closed, its bytes never
 * echoed. Serves clients one at a time, --concurrent or not. Breaks RFC 862
 * (the echo "continues until the calling user terminates the connection").
 * Same command line (--help) and event log as echo-server, so the harness
 * can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.reads_once_closes = true};
    return eh_server_main(argc, argv, &faults);
}
