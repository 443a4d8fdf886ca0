/* faulty-client-fixed-port.c - an echo client that always uses local port 50007.
 *
 * The bug: it binds port 50007 (the port of the Python documentation's echo
 * example) before connect, whatever the options say. The port lies inside
 * the default ip_local_port_range (32768..60999), so it passes for
 * ephemeral there: only a scenario that narrows the range to a random window
 * ("client_port_window") shows that it is fixed. Same command line (--help)
 * and event log as echo-client, so the harness can run it in the reference
 * build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.fixed_port = true};
    return eh_client_main(argc, argv, &faults);
}
