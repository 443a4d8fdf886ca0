/* hostile-client-exits-early.c - a client that exits before connecting.
 *
 * Parses the echo-client command line and exits 0 at once, without a single
 * socket call. Proves that a client claiming success without having talked
 * to the server fails anyway.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.exit_before_connect = true};
    return eh_client_main(argc, argv, &faults);
}
