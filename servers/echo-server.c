/* echo-server.c - the reference echo server (RFC 862).
 *
 * By default the Real Python tutorial's server: listen on 127.0.0.1:65432,
 * accept one connection, recv(1024) and sendall() until the client closes,
 * close, exit 0. The options (--help) turn it into every server the
 * behaviour scenarios need; the logic lives in reference/server.c.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {0}; /* the reference build: no faults */
    return eh_server_main(argc, argv, &faults);
}
