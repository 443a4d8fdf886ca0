/* echo-client.c - the reference echo client (RFC 862).
 *
 * By default the Real Python tutorial's client: connect to 127.0.0.1:65432,
 * sendall "Hello, world", recv(1024) once, print what came back, close,
 * exit 0. The options (--help) turn it into every client the behaviour
 * scenarios need; the logic lives in reference/client.c.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {0}; /* the reference build: no faults */
    return eh_client_main(argc, argv, &faults);
}
