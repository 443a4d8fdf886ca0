/* faulty-client-reads-once.c - an echo client that stops reading too early.
 *
 * The bug: it ignores --read-all (and the read to EOF of --shutdown-write):
 * it calls recv() once and closes, so a long echo comes back cut. Proves
 * that large-stream scenarios check that the whole echo arrived. Same
 * command line (--help) and event log as echo-client, so the harness can
 * run it in the reference build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.reads_once = true};
    return eh_client_main(argc, argv, &faults);
}
