/* faulty-client-setfd-nonblock.c - an echo client whose "non-blocking" socket blocks.
 *
 * The bug: in --mode nonblocking the socket is made non-blocking with
 * fcntl(fd, F_SETFD, O_NONBLOCK) where F_SETFL belongs. F_SETFD sets the
 * descriptor flags, of which FD_CLOEXEC is the only one, and returns 0; the
 * file status flag O_NONBLOCK is never set (fcntl(2)). Every call then
 * blocks: connect() waits for the handshake instead of answering
 * EINPROGRESS, and a send() larger than the buffers waits for the peer
 * instead of returning a short count. Same command line (--help) and event
 * log (with the fcntl() call) as echo-client, so the harness can run it in
 * the reference build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.setfd_nonblock = true};
    return eh_client_main(argc, argv, &faults);
}
