/* hostile-ignores-sigterm.c - a server that SIGTERM does not stop.
 *
 * Ignores SIGTERM, accepts one connection and then holds it without reading,
 * so the scenario cannot finish and only SIGKILL ends the server. Proves that
 * the harness escalates from SIGTERM to SIGKILL within its deadline.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.ignore_sigterm = true, .hang_after_accept = true};
    return eh_server_main(argc, argv, &faults);
}
