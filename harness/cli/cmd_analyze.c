/* cmd_analyze.c - `echoharness analyze`: the wire analysis of any capture.
 *
 * Reads one pcap or pcapng file with eh_analyze_file() and prints the
 * analysis as a table (eh_analysis_print()) or, with --json, as the
 * report's "wire" object (eh_analysis_write_json()); with -v the table
 * lists each connection's packets (eh_analysis_print_packets()). Exit status 0 when
 * analysed, 2 on a usage error or a file that cannot be read
 * ("FILE: <libpcap message>" on stderr).
 */
#include "analyze.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: echoharness analyze FILE.pcap [--json | -v]\n"
                 "\n"
                 "Wire analysis of any capture (pcap or pcapng): per TCP connection the\n"
                 "endpoints, bytes and segments each way, FIN/RST with sender and time, close\n"
                 "classification and echo verdict with the first difference; per UDP exchange\n"
                 "the datagrams each way and their pairing; and the anomalies found.\n"
                 "\n"
                 "  --json          print the analysis as JSON (the report's \"wire\" object)\n"
                 "  -v, --verbose   list each connection's packets under it, one per line, as\n"
                 "                  the scenario descriptions write them: sender C (client) or\n"
                 "                  S (server), tcpdump's flags (S SYN, F FIN, R RST, P PSH,\n"
                 "                  . ACK) and the payload length, with the time from the\n"
                 "                  first frame and the stream offset:\n"
                 "                    +0.000000  C:S          seq 0\n"
                 "                    +0.000012  S:S.         seq 0\n"
                 "                    +0.000040  C:P.12       seq 0\n"
                 "                  The first 200 and last 50 packets of a connection are kept;\n"
                 "                  one line says how many between them were left out.\n"
                 "  --help          show this help\n"
                 "\n"
                 "Exit status: 0 analysed, 2 usage error or unreadable file.\n");
}

int eh_cmd_analyze(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool as_json = false, verbose = false;
    int ch;
    optind = 0; /* restart getopt: main may have used it */
    while ((ch = getopt_long(argc, argv, "jvh", opts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            as_json = true;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            usage(stdout);
            return EH_EXIT_PASS;
        default:
            usage(stderr);
            return EH_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "echoharness analyze: expected one capture file, got %d\n", argc - optind);
        usage(stderr);
        return EH_EXIT_USAGE;
    }
    struct eh_error err = {0};
    struct eh_analysis *a;
    if (eh_analyze_file(argv[optind], &a, &err) != EH_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return EH_EXIT_USAGE;
    }
    if (as_json) {
        eh_analysis_write_json(a, stdout);
        fputc('\n', stdout);
    } else if (verbose) {
        eh_analysis_print_packets(a, stdout);
    } else {
        eh_analysis_print(a, stdout);
    }
    eh_analysis_free(a);
    return EH_EXIT_PASS;
}
