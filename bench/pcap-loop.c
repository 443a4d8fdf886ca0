/* pcap-loop.c - the floor for reading a capture: a bare pcap_next_ex() loop.
 *
 * bench/analyze compiles and times this beside `echoharness analyze` and
 * tshark: libpcap reads every record (and copies its bytes into its buffer),
 * the loop only counts packets and bytes, which it prints.
 *
 * Usage: pcap-loop FILE.pcap
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcap-loop FILE.pcap\n");
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (p == NULL) {
        fprintf(stderr, "pcap-loop: %s\n", errbuf);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t packets = 0, bytes = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packets++;
        bytes += h->caplen;
    }
    if (rc == PCAP_ERROR)
        fprintf(stderr, "pcap-loop: %s\n", pcap_geterr(p));
    pcap_close(p);
    printf("%llu packets, %llu bytes\n", (unsigned long long)packets, (unsigned long long)bytes);
    return rc == PCAP_ERROR ? 1 : 0;
}
