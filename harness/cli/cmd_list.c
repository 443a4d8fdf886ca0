/* cmd_list.c - `echoharness list`: the scenarios with kind, judges, tags and description.
 *
 * Loads the scenarios named (or those below scenarios/), keeps those that
 * --tag and --filter select and prints each as its name, kind, the role it
 * judges and its tags on one line and its description indented on the next.
 * "judges" says what --server-cmd and --client-cmd run it for: "server",
 * "client", "server+client", or "reference only" (neither runs it). Exit
 * status 2 if a file does not load.
 */
#include "cli.h"

#include "applies.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void usage_list(FILE *out)
{
    fputs("Usage: echoharness list [-t TAG] [-f PATTERN] [SCENARIO.json|DIR]...\n"
          "List scenarios (default: those run uses) as name, kind, the role each judges, tags\n"
          "and description. JUDGES is server, client or server+client: the roles under test,\n"
          "which --server-cmd and --client-cmd replace (run with such a command, a scenario runs\n"
          "only if it judges a role the command replaces); reference only: it shows what the\n"
          "reference builds do and is not run with --server-cmd or --client-cmd.\n"
          "  -t, --tag TAG        only scenarios carrying TAG (repeat: carrying every TAG);\n"
          "                       from a folder, those tagged load only when asked for, as run\n"
          "  -f, --filter PATTERN only scenarios whose name matches PATTERN: a glob with *, ?\n"
          "                       or [ ('recv1-*'), else a part of the name ('echo'), or one\n"
          "                       scenario's whole name; repeat to add more (a name any of\n"
          "                       them matches is listed)\n"
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
            eh__selection_add_filter(&sel, optarg);
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
    if (n > 0)
        printf("%-32s %-12s %-15s %s\n", "NAME", "KIND", "JUDGES", "TAGS");
    for (size_t i = 0; i < n; i++) {
        printf("%-32s %-12s %-15s ", scs[i]->name, scs[i]->kind,
               eh_judges_name(eh_scenario_judges(scs[i])));
        for (size_t t = 0; t < scs[i]->n_tags; t++)
            printf("%s%s", t ? "," : "", scs[i]->tags[t]);
        printf("\n    %s\n", scs[i]->description);
    }
    if (ok && n == 0 && sel.why_none[0])
        fprintf(stderr, "echoharness list: no scenario selected: %s\n", sel.why_none);
    eh__scenarios_free(scs, n);
    free(sel.tags);
    free(sel.filters);
    return ok ? EH_EXIT_PASS : EH_EXIT_USAGE;
}
