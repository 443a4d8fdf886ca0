/* faulty-server-reports-asked-port.c - an echo server that announces the port it asked for.
 *
 * The bug: once listening, the server reports the address it passed to
 * bind() ("listening on 127.0.0.1:0" and the ready event) and never asks
 * getsockname() which one it got. With --port 0 the kernel chose a free
 * port from ip_local_port_range, and nobody is told which: clients are sent
 * to port 0, where no one listens. Same command line (--help) and event log
 * as echo-server, so the harness can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.reports_asked_port = true};
    return eh_server_main(argc, argv, &faults);
}
