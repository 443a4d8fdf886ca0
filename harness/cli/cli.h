/* cli.h - the commands of the echoharness program and what they share.
 *
 * Internal to harness/cli/. main.c dispatches to one eh_cmd_*() per
 * command, each in cmd_<command>.c. A command gets its own argc and argv
 * (argv[0] is the command's name), prints its output and messages, and
 * returns the process exit status; only main() exits. select.c holds the
 * loading and selection of scenarios that run, list and validate share.
 */
#ifndef EH_CLI_H
#define EH_CLI_H

#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>

#define EH_EXIT_PASS 0       /* every selected scenario passed (or was skipped) */
#define EH_EXIT_NOT_PASSED 1 /* at least one did not; diff: at least one regression */
#define EH_EXIT_USAGE 2      /* usage, configuration or scenario-file error */

/* timeout_scale is EH_TIMEOUT_SCALE, checked by main (1.0 when unset): run
 * sets the scale from it, or from --timeout-scale, before any thread starts. */
int eh_cmd_run(int argc, char **argv, double timeout_scale);
int eh_cmd_list(int argc, char **argv);
int eh_cmd_validate(int argc, char **argv);
int eh_cmd_analyze(int argc, char **argv);
int eh_cmd_diff(int argc, char **argv);

/* Scenario selection by --tag (every tag given must be carried) and
 * --filter (a glob over the name). The strings are lent by argv; the
 * caller frees tags with free(). */
struct eh__selection {
    char **tags;
    size_t n_tags;
    const char *filter;
};

/* Adds a --tag to sel. */
void eh__selection_add_tag(struct eh__selection *sel, char *tag);

/* Scenarios carrying this tag take seconds and much CPU (load-*.json): a
 * folder's scenarios include them only when --tag load is given; a file
 * named on the command line is always included. */
#define EH_OPT_IN_TAG "load"

/* Loads every scenario named by args (files or folders), or those below
 * scenarios/ when n_args is 0, and keeps those sel selects (all when sel is
 * NULL; EH_OPT_IN_TAG above). Prints each error on stderr and returns false if any file did not
 * load; the ones that did are still in *out. *n_files gets the number of
 * files read. Caller frees *out with eh__scenarios_free(). */
bool eh__scenarios_load(char *const *args, size_t n_args, const struct eh__selection *sel,
                        struct eh_scenario ***out, size_t *n_out, size_t *n_files);

/* Frees what eh__scenarios_load() returned. */
void eh__scenarios_free(struct eh_scenario **scs, size_t n);

#endif
