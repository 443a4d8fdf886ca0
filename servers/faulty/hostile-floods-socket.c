/* hostile-floods-socket.c - a server that sends 100 MiB nobody asked for.
 *
 * After accept it sends 100 MiB without reading a byte, then closes. Proves
 * that the harness's capture, wire analysis and event-log reading stay
 * bounded in memory and time, and that the verdict says what went wrong.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.floods_socket = true};
    return eh_server_main(argc, argv, &faults);
}
