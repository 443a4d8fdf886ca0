/* hostile-never-writes.c - a server that reads and never writes.
 *
 * Accepts and reads each connection to its EOF, but sends nothing back, then
 * closes. Proves that a client waiting for the echo is judged (no echo) and
 * stopped at the deadline.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.never_writes = true};
    return eh_server_main(argc, argv, &faults);
}
