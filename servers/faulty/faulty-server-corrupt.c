/* faulty-server-corrupt.c - an echo server that flips the case of what it echoes.
 *
 * The bug: every byte is echoed XOR 0x20, so "Hello" comes back "hELLO".
 * Proves that echo-exactness scenarios compare the bytes. Same command line
 * (--help) and event log as echo-server, so the harness can run it in the
 * reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.corrupt = true};
    return eh_server_main(argc, argv, &faults);
}
