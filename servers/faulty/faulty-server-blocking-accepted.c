/* faulty-server-blocking-accepted.c - a non-blocking echo server whose connections block.
 *
 * The bug: in --mode nonblocking the listening socket is non-blocking, but
 * accept() is called without SOCK_NONBLOCK, taking for granted that the new
 * socket inherits O_NONBLOCK. On Linux it does not (accept(2): "On Linux,
 * the new socket returned by accept() does not inherit file status flags
 * such as O_NONBLOCK"), so every recv() on a connection blocks and never
 * answers EAGAIN. Same command line (--help) and event log as echo-server,
 * so the harness can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.blocking_accepted = true};
    return eh_server_main(argc, argv, &faults);
}
