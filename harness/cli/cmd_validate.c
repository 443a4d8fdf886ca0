/* cmd_validate.c - `echoharness validate`: check scenario files without running them.
 *
 * Loads every file named (folders: every *.json below them) with the same
 * checks run applies, prints "FILE: ok" for each valid one and the first
 * error of each invalid one as FILE:LINE:COLUMN: $.json.path: message on
 * stderr. Exit status 0 if all are valid, 2 otherwise.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static void usage_validate(FILE *out)
{
    fputs("Usage: echoharness validate FILE|DIR...\n"
          "Check scenario files: JSON syntax, keys, types and ranges. Prints the first error\n"
          "of each file as FILE:LINE:COLUMN: $.json.path: message on stderr.\n"
          "Exit status 0 if all are valid, 2 otherwise.\n",
          out);
}

int eh_cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage_validate(stdout);
            return EH_EXIT_PASS;
        default:
            fputs("Try 'echoharness validate --help'.\n", stderr);
            return EH_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("echoharness validate: expected at least one FILE\n", stderr);
        return EH_EXIT_USAGE;
    }
    struct eh_scenario **scs;
    size_t n, n_files;
    bool ok = eh__scenarios_load(argv + optind, (size_t)(argc - optind), NULL, &scs, &n, &n_files);
    for (size_t i = 0; i < n; i++)
        printf("%s: ok\n", scs[i]->path);
    eh__scenarios_free(scs, n);
    return ok ? EH_EXIT_PASS : EH_EXIT_USAGE;
}
