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

#include <jansson.h>
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
int eh_cmd_merge(int argc, char **argv);

/* Scenario selection by --tag (every tag given must be carried) and
 * --filter (with *, ? or [: a glob over the whole name; without: a part of
 * the name, or the whole name of one scenario, which is then selected
 * alone; given more than once, a name any of them matches is selected).
 * The strings are lent by argv; the caller frees tags and filters with
 * free(). */
struct eh__selection {
    char **tags;
    size_t n_tags;
    char **filters;
    size_t n_filters;
    /* Filled by eh__scenarios_load() when it selects nothing: which selector
     * left no scenario, e.g. "--filter 'x' matched none of the 10 scenario
     * names (...)". */
    char why_none[384];
};

/* Adds a --tag to sel. */
void eh__selection_add_tag(struct eh__selection *sel, char *tag);

/* Adds a --filter to sel. */
void eh__selection_add_filter(struct eh__selection *sel, char *filter);

/* Scenarios carrying this tag take seconds and much CPU (load-*.json): of a
 * folder's scenarios, those carrying it are kept only when --tag load or a
 * --filter of the whole name asks for them; a file named on the command
 * line is always kept. */
#define EH_OPT_IN_TAG "load"

/* Loads every scenario named by args (files or folders), or those below
 * scenarios/ when n_args is 0, and keeps those sel selects (all when sel is
 * NULL; EH_OPT_IN_TAG above). Prints each error on stderr and returns false
 * if any file did not load; the ones that did are still in *out. *n_files gets the number of
 * files read. Caller frees *out with eh__scenarios_free(). */
bool eh__scenarios_load(char *const *args, size_t n_args, struct eh__selection *sel,
                        struct eh_scenario ***out, size_t *n_out, size_t *n_files);

/* Frees what eh__scenarios_load() returned. */
void eh__scenarios_free(struct eh_scenario **scs, size_t n);

/* One implementation a run judges (impls.c): one of --impl NAME=CMD,
 * --impl-client NAME=CMD or an --impls FILE entry, or the single one of a
 * run without those (--server-cmd, --client-cmd, --server-program,
 * --client-program, --name). Every string is owned. */
struct eh__impl {
    char *name;
    char *option;                          /* where it was given, for messages */
    char *server_cmd, *client_cmd;         /* command templates under test, or NULL */
    char *server_program, *client_program; /* other builds of the reference, or NULL */
    unsigned transports;                   /* 1 << enum eh_transport per transport served; 0: all */
    unsigned families;                     /* 1 << enum eh_family per family served; 0: all */
};

struct eh__impls {
    struct eh__impl *v;
    size_t n;
};

/* True if name can name an implementation (and its report folder):
 * 1..64 of [A-Za-z0-9._+-], not starting with '.' or '-'. Else why says why. */
bool eh__impl_name_ok(const char *name, char *why, size_t len);
/* Appends an implementation of that name, its fields zero but the name and
 * option; returns it (valid until the next push). */
struct eh__impl *eh__impls_push(struct eh__impls *impls, const char *name, const char *option);
/* Adds --impl NAME=CMD (client false) or --impl-client NAME=CMD; prints the
 * error naming option and returns false if arg is not that, the name is not
 * one, or another implementation has it. */
bool eh__impls_add(struct eh__impls *impls, const char *option, const char *arg, bool client);
/* Adds the implementations an --impls FILE lists; prints each error as
 * "FILE: $.implementations[1].name: ..." (or FILE:LINE:COLUMN for JSON
 * syntax) and returns false on any. */
bool eh__impls_load(struct eh__impls *impls, const char *path);
/* True if the scenario applies to the implementation: a role it replaces is
 * under test (and not scripted) in sc, over a transport and family it serves. */
bool eh__impl_applies(const struct eh__impl *impl, const struct eh_scenario *sc);
/* The implementation's IMPL object of report.json (report.h), without
 * "report" and "summary". Caller frees with json_decref(). */
json_t *eh__impl_json(const struct eh__impl *impl);
/* Frees every implementation and the array. */
void eh__impls_free(struct eh__impls *impls);

/* The pairs a run runs (plan.c): indexes into its implementations and
 * scenarios. */
struct eh__pair {
    size_t impl, sc;
};

struct eh__plan {
    struct eh__pair *selected; /* every pair selected, before --shard */
    size_t n_selected;
    struct eh__pair *pairs; /* those of this shard (all without --shard) */
    size_t n;
    json_t *selection; /* report.json's "selection": {"hash", "pairs"} */
};

/* Parses --shard's "K/N" (1 <= K <= N <= 1000), or "auto": CI_NODE_INDEX
 * and CI_NODE_TOTAL from the environment (GitLab's parallel:). Prints the
 * error and returns false when it is neither. */
bool eh__shard_parse(const char *arg, unsigned *k, unsigned *n);

/* Plans a run of impls over scs: index, a run of several implementations
 * (each pair one where the scenario applies) or of one (with a command
 * under test, the scenarios it applies to; without, every scenario);
 * shard_n 0 for no --shard. Prints the error and returns false if an
 * implementation of several has no scenario. Caller frees with
 * eh__plan_free(), also on failure. */
bool eh__plan_make(const struct eh__impls *impls, bool index, struct eh_scenario *const *scs,
                   size_t n_scs, unsigned repeat, unsigned shard_k, unsigned shard_n,
                   struct eh__plan *out);
void eh__plan_free(struct eh__plan *plan);

#endif
