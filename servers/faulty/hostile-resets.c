/* hostile-resets.c - a server that resets every connection.
 *
 * Accepts every connection and closes it at once with SO_LINGER {1, 0}, so
 * the client gets RST instead of an echo; it keeps accepting until SIGTERM.
 * Proves that a reset is judged as such.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.resets = true};
    return eh_server_main(argc, argv, &faults);
}
