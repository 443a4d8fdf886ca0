/* faulty-client-fixed-port.c - an echo client that always uses local port 1234.
 *
 * The bug: it binds port 1234 (outside ip_local_port_range) before connect,
 * whatever the options say. Proves that the ephemeral-port scenario reads
 * the client's real port. Same command line (--help) and event log as
 * echo-client, so the harness can run it in the reference build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.fixed_port = true};
    return eh_client_main(argc, argv, &faults);
}
