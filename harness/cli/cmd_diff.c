/* cmd_diff.c - `echoharness diff`: compare two report.json files.
 *
 * Loads OLD.json and NEW.json with eh_report_load() and prints their
 * differences by scenario name with eh_report_diff() on stdout. Exit
 * status: 0 no regression, 1 at least one regression, 2 usage error or an
 * unreadable or invalid report ("FILE:LINE:COL: message" or
 * "FILE: $.json.path: message" on stderr).
 */
#include "cli.h"
#include "report.h"

#include <getopt.h>
#include <stdio.h>

static void diff_usage(FILE *out)
{
    fputs("usage: echoharness diff OLD.json NEW.json\n"
          "\n"
          "Compares two report.json files by scenario name and prints, one line each:\n"
          "  REGRESSION  in both, PASS in OLD and FAIL, ERROR or TIMEOUT in NEW\n"
          "  fixed       in both, not PASS in OLD and PASS in NEW\n"
          "  changed     in both, another change of verdict\n"
          "  new         only in NEW\n"
          "  skipped     in both, SKIP in NEW only (e.g. a behaviour scenario\n"
          "              against a program under test)\n"
          "  not run     only in OLD (e.g. a --tag or --filter subset run)\n"
          "and a line of totals. Only regressions fail the diff.\n"
          "\n"
          "  -h, --help   show this help\n"
          "\n"
          "Exit status: 0 no regression, 1 at least one regression,\n"
          "2 usage error or an unreadable or invalid report.\n",
          out);
}

int eh_cmd_diff(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0; /* glibc: full reset, in case getopt ran before */
    int opt;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (opt == 'h') {
            diff_usage(stdout);
            return EH_EXIT_PASS;
        }
        diff_usage(stderr);
        return EH_EXIT_USAGE;
    }
    if (argc - optind != 2) {
        fprintf(stderr, "echoharness diff: expected OLD.json and NEW.json\n");
        diff_usage(stderr);
        return EH_EXIT_USAGE;
    }
    struct eh_error err = {0};
    json_t *old_report = NULL, *new_report = NULL;
    if (eh_report_load(argv[optind], &old_report, &err) != EH_OK ||
        eh_report_load(argv[optind + 1], &new_report, &err) != EH_OK) {
        fprintf(stderr, "%s\n", err.msg);
        json_decref(old_report);
        return EH_EXIT_USAGE;
    }
    int regressions = eh_report_diff(old_report, new_report, stdout);
    json_decref(old_report);
    json_decref(new_report);
    return regressions > 0 ? EH_EXIT_NOT_PASSED : EH_EXIT_PASS;
}
