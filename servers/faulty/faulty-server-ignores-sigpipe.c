/* faulty-server-ignores-sigpipe.c - a server that cannot show the death by SIGPIPE.
 *
 * Ignores --keep-sigpipe: it always ignores SIGPIPE and sends with
 * MSG_NOSIGNAL, so a send on a broken connection returns EPIPE instead of
 * killing it. Proves that broken-pipe-sigpipe-kills can fail.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.never_dies_of_sigpipe = true};
    return eh_server_main(argc, argv, &faults);
}
