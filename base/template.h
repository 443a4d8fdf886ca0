/* template.h - command templates split into argv without a shell.
 *
 * --server-cmd 'python3 srv.py --port {port}' becomes
 * {"python3", "srv.py", "--port", "65432", NULL}. Splitting follows POSIX
 * shell word rules for quoting only: blanks separate words; '...' keeps
 * everything literally; "..." keeps everything but \" \\ \$ \`; a backslash
 * outside quotes escapes the next character. No expansion, globbing,
 * redirection or pipes: those characters are literal. Placeholders {host},
 * {port} (and any other name given in vars) are replaced inside words,
 * including inside quotes; "{{" and "}}" give literal braces.
 */
#ifndef EH_TEMPLATE_H
#define EH_TEMPLATE_H

#include "eh.h"

struct eh_template_var {
    const char *name;  /* "host" */
    const char *value; /* "127.0.0.1" */
};

/* Splits tmpl into a NULL-terminated argv with placeholders replaced.
 * Returns EH_ERR with "command template: column N: ..." for an unterminated
 * quote, a trailing backslash, an unknown or unterminated placeholder, or an
 * empty command. Caller frees with eh_argv_free(). */
eh_status eh_template_split(const char *tmpl, const struct eh_template_var *vars, size_t n_vars,
                            char ***argv_out, struct eh_error *err);

/* Frees a NULL-terminated argv from eh_template_split(); accepts NULL. */
void eh_argv_free(char **argv);

/* Writes argv as one line, shell-quoted where needed, for reports: a word
 * that is empty or has a character outside [A-Za-z0-9%+,-./:=@_] goes in
 * single quotes (' as '\''), so the line is valid for a POSIX shell and
 * eh_template_split() reads it back unchanged unless an argument contains a
 * brace. Returns NULL only when out of memory. Caller frees. */
char *eh_argv_join(char *const *argv);

#endif
