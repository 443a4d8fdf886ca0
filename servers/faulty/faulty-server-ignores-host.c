/* faulty-server-ignores-host.c - an echo server that always binds the loopback address.
 *
 * The bug: the address to bind is the tutorial's HOST = "127.0.0.1" (::1
 * for IPv6), written into the program; --host is parsed and never used. A
 * server asked to listen on every address (--host 0.0.0.0, INADDR_ANY)
 * still listens on loopback only, so no other machine can reach it, and
 * bind() and getsockname() show 127.0.0.1 where the any address belongs.
 * Same command line (--help) and event log as echo-server, so the harness
 * can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.ignores_host = true};
    return eh_server_main(argc, argv, &faults);
}
