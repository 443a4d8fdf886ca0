/* hostile-floods-output.c - a server that writes without end to stdout and stderr.
 *
 * Serves like echo-server while a thread writes to stdout and stderr as
 * fast as it can. Proves that the harness caps captured output and is never
 * blocked by a full pipe.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.flood_output = true};
    return eh_server_main(argc, argv, &faults);
}
