/* hostile-client-never-connects.c - a client that never connects.
 *
 * Parses the echo-client command line and then sleeps until it is killed,
 * without a single socket call. Proves that a client under test that does
 * nothing is stopped at the deadline and judged by what did not happen.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.never_connect = true};
    return eh_client_main(argc, argv, &faults);
}
