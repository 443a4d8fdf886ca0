/* cmd_list.c - `echoharness list`: the scenarios with kind, tags and description.
 *
 * Loads the scenarios named (or those below scenarios/), keeps those that
 * --tag and --filter select and prints each as its name, kind and tags on
 * one line and its description indented on the next. Exit status 2 if a
 * file does not load.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void usage_list(FILE *out)
{
    fputs("Usage: echoharness list [-t TAG] [-f PATTERN] [SCENARIO.json|DIR]...\n"
          "List scenarios (default: those run uses) as name, kind, tags and description.\n"
          "  -t, --tag TAG        only scenarios carrying TAG (repeat: carrying every TAG)\n"
          "  -f, --filter PATTERN only scenarios whose name matches PATTERN: a glob with *, ?\n"
          "                       or [ ('recv1-*'), else a part of the name ('echo'), or one\n"
          "                       scenario's whole name\n"
          "Exit status 2 if a file does not load.\n",
          out);
}

int eh_cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tag", required_argument, NULL, 't'},
        {"filter", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct eh__selection sel = {0};
    int c;
    while ((c = getopt_long(argc, argv, "+t:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            eh__selection_add_tag(&sel, optarg);
            break;
        case 'f':
            sel.filter = optarg;
            break;
        case 'h':
            usage_list(stdout);
            return EH_EXIT_PASS;
        default:
            fputs("Try 'echoharness list --help'.\n", stderr);
            return EH_EXIT_USAGE;
        }
    }
    struct eh_scenario **scs;
    size_t n, n_files;
    bool ok = eh__scenarios_load(argv + optind, (size_t)(argc - optind), &sel, &scs, &n, &n_files);
    for (size_t i = 0; i < n; i++) {
        printf("%-32s %-12s ", scs[i]->name, scs[i]->kind);
        for (size_t t = 0; t < scs[i]->n_tags; t++)
            printf("%s%s", t ? "," : "", scs[i]->tags[t]);
        printf("\n    %s\n", scs[i]->description);
    }
    if (ok && n == 0 && sel.why_none[0])
        fprintf(stderr, "echoharness list: no scenario selected: %s\n", sel.why_none);
    eh__scenarios_free(scs, n);
    free(sel.tags);
    return ok ? EH_EXIT_PASS : EH_EXIT_USAGE;
}
