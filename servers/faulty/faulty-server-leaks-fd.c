/* faulty-server-leaks-fd.c - an echo server that never closes finished connections.
 *
 * The bug: the missing close(conn) after the echo loop: when recv()
 * returns 0 the server logs the end of the connection and goes back to
 * accept() (with --forever) without closing the socket. Each client costs
 * a descriptor until the process hits its limit (EMFILE), and no client
 * ever sees the server's FIN. Breaks the rule that a server closes each
 * connection after the client's EOF. Same command line (--help) and event
 * log as echo-server, so the harness can run it in the reference build's
 * place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.leaks_fd = true};
    return eh_server_main(argc, argv, &faults);
}
