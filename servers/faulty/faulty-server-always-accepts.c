/* faulty-server-always-accepts.c - a server that --no-accept does not stop accepting.
 *
 * Ignores --no-accept and serves every connection (as --forever), so the
 * listen backlog never fills and no SYN goes unanswered. Proves that
 * listen-backlog can fail.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.ignores_no_accept = true};
    return eh_server_main(argc, argv, &faults);
}
