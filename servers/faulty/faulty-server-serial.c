/* faulty-server-serial.c - an echo server that ignores --concurrent.
 *
 * The bug: the blocking accept loop of every first echo server, "accept,
 * echo until EOF, close, accept the next", used where clients overlap. It
 * serves one client at a time to its end, so a second client that connects
 * while the first is still open is accepted by the kernel (the backlog)
 * but gets no echo until the first one closes. Breaks the rule that a
 * server meant for many clients serves each without waiting for the
 * others. Same command line (--help) and event log as echo-server, so the
 * harness can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.serial = true};
    return eh_server_main(argc, argv, &faults);
}
