/* faulty-server-serves-once.c - an echo server that serves one client and exits.
 *
 * The bug: the tutorial's server taken as a service: accept() is called
 * once, outside any loop, so after its first client (UDP: its first
 * datagram) the process exits 0, whatever --forever, --max-connections or
 * --concurrent say. A second client is refused. Breaks the rule that a
 * long-running echo server keeps accepting (RFC 862: "until the calling
 * user terminates the connection" is per connection, not per server).
 * Same command line (--help) and event log as echo-server, so the harness
 * can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.serves_once = true};
    return eh_server_main(argc, argv, &faults);
}
