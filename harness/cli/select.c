/* select.c - loading and selecting the scenarios a command works on.
 *
 * run and list select scenarios by --tag and --filter; run, list and
 * validate load them from files and folders, or from scenarios/ by
 * default, printing each file's error. A scenario tagged "load" is selected
 * from a folder only when --tag load asks for it. See cli.h.
 */
#include "cli.h"

#include "paths.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eh__selection_add_tag(struct eh__selection *sel, char *tag)
{
    sel->tags = realloc(sel->tags, (sel->n_tags + 1) * sizeof(*sel->tags));
    sel->tags[sel->n_tags++] = tag;
}

/* True if tag is among the --tag options. */
static bool asked_for(const struct eh__selection *sel, const char *tag)
{
    for (size_t i = 0; i < sel->n_tags; i++)
        if (strcmp(sel->tags[i], tag) == 0)
            return true;
    return false;
}

/* True if path is one of the arguments: a file named, not found in a folder. */
static bool named(char *const *args, size_t n_args, const char *path)
{
    for (size_t i = 0; i < n_args; i++)
        if (strcmp(args[i], path) == 0)
            return true;
    return false;
}

static bool selected(const struct eh__selection *sel, const struct eh_scenario *sc, bool by_name)
{
    if (!by_name && eh_scenario_has_tag(sc, EH_OPT_IN_TAG) && !asked_for(sel, EH_OPT_IN_TAG))
        return false;
    if (sel->filter && fnmatch(sel->filter, sc->name, 0) != 0)
        return false;
    for (size_t i = 0; i < sel->n_tags; i++) /* every tag given must be carried */
        if (!eh_scenario_has_tag(sc, sel->tags[i]))
            return false;
    return true;
}

bool eh__scenarios_load(char *const *args, size_t n_args, const struct eh__selection *sel,
                        struct eh_scenario ***out, size_t *n_out, size_t *n_files)
{
    char **paths = NULL;
    size_t n_paths = 0;
    struct eh_error err = {0};
    bool ok = true;
    char dir[PATH_MAX];
    char *default_args[] = {dir};

    *out = NULL;
    *n_out = 0;
    *n_files = 0;
    if (n_args == 0) {
        if (!eh_paths_scenarios(NULL, dir, sizeof(dir))) {
            fprintf(stderr,
                    "echoharness: no scenarios folder in %s: name scenario files or folders\n",
                    dir);
            return false;
        }
        args = default_args;
        n_args = 1;
    }
    if (eh_scenario_find(args, n_args, &paths, &n_paths, &err) != EH_OK) {
        fprintf(stderr, "echoharness: %s\n", err.msg);
        return false;
    }
    *out = calloc(n_paths ? n_paths : 1, sizeof(**out));
    *n_out = 0;
    *n_files = n_paths;
    for (size_t i = 0; i < n_paths; i++) {
        struct eh_scenario *sc = NULL;
        eh_error_clear(&err);
        if (eh_scenario_load(paths[i], &sc, &err) != EH_OK) {
            fprintf(stderr, "%s\n", err.msg);
            ok = false;
        } else if (sel == NULL || selected(sel, sc, named(args, n_args, paths[i]))) {
            (*out)[(*n_out)++] = sc;
        } else {
            eh_scenario_free(sc);
        }
        free(paths[i]);
    }
    free(paths);
    return ok;
}

void eh__scenarios_free(struct eh_scenario **scs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        eh_scenario_free(scs[i]);
    free(scs);
}
