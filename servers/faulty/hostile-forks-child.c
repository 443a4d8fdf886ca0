/* hostile-forks-child.c - a server that leaves a process behind.
 *
 * After it is ready it forks a child that keeps the listening socket (the
 * port) and the output pipes open and sleeps until killed; the parent
 * serves one connection and exits. Proves that the harness cleans up a
 * scenario's leftover processes and does not wait for their output.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.fork_child = true};
    return eh_server_main(argc, argv, &faults);
}
