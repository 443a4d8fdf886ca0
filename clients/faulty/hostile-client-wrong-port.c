/* hostile-client-wrong-port.c - a client that connects to the wrong port.
 *
 * Connects to the port after the one it was given (an off-by-one), where
 * nothing listens: refused, exit 1. Proves that the verdict shows the
 * refused attempt and the server that saw no client.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.wrong_port = true};
    return eh_client_main(argc, argv, &faults);
}
