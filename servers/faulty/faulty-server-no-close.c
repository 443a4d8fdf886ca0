/* faulty-server-no-close.c - an echo server that never closes a finished connection.
 *
 * The bug: after recv() returns 0 it keeps the socket open and sleeps until
 * it is killed, so the client never sees EOF. Proves that half-close
 * scenarios wait for the server's FIN. Same command line (--help) and event
 * log as echo-server, so the harness can run it in the reference build's
 * place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.never_close = true};
    return eh_server_main(argc, argv, &faults);
}
