/* template.c - command templates split into argv without a shell.
 *
 * A small scanner over the template: POSIX quoting rules (quotes and
 * backslashes only, see template.h), {name} placeholders replaced from vars
 * anywhere inside a word, "{{" and "}}" as literal braces. Nothing is
 * expanded, globbed or redirected. Errors name the 1-based column.
 */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct strbuf {
    char *s;
    size_t len, cap;
    bool oom; /* an allocation failed; s holds what fitted */
};

static void sb_add(struct strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_addc(struct strbuf *b, char c)
{
    sb_add(b, &c, 1);
}

struct words {
    char **v; /* NULL-terminated */
    size_t n, cap;
    bool oom;
};

static void words_push(struct words *w, struct strbuf *word)
{
    char *s = word->oom ? NULL : word->s ? word->s : strdup("");
    if (s != NULL && w->n + 2 > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        char **v = realloc(w->v, cap * sizeof(*v));
        if (v != NULL) {
            w->v = v;
            w->cap = cap;
        }
    }
    if (s == NULL || w->n + 2 > w->cap) {
        w->oom = true;
        if (s != word->s)
            free(s);
        free(word->s);
    } else {
        w->v[w->n++] = s;
        w->v[w->n] = NULL;
    }
    *word = (struct strbuf){0};
}

static eh_status fail(struct eh_error *err, size_t col, const char *what, const char *detail)
{
    eh_error_set(err, "command template: column %zu: %s%s", col, what, detail);
    return EH_ERR;
}

/* Handles a brace at s[*i]: "{{", "}}" or a placeholder "{name}". */
static eh_status brace(const char *s, size_t *i, const struct eh_template_var *vars, size_t n_vars,
                       struct strbuf *word, struct eh_error *err)
{
    char c = s[*i];
    if (s[*i + 1] == c) {
        sb_addc(word, c);
        *i += 2;
        return EH_OK;
    }
    if (c == '}')
        return fail(err, *i + 1, "unmatched '}'", " (write }} for a literal brace)");
    const char *close = strchr(s + *i + 1, '}');
    if (close == NULL)
        return fail(err, *i + 1, "unterminated placeholder", " (write {{ for a literal brace)");
    const char *name = s + *i + 1;
    size_t name_len = (size_t)(close - name);
    for (size_t k = 0; k < n_vars; k++) {
        if (strlen(vars[k].name) == name_len && memcmp(vars[k].name, name, name_len) == 0) {
            sb_add(word, vars[k].value, strlen(vars[k].value));
            *i = (size_t)(close - s) + 1;
            return EH_OK;
        }
    }
    char what[160];
    snprintf(what, sizeof(what), "unknown placeholder {%.*s}",
             (int)(name_len > 100 ? 100 : name_len), name);
    return fail(err, *i + 1, what, " (write {{ and }} for literal braces)");
}

eh_status eh_template_split(const char *tmpl, const struct eh_template_var *vars, size_t n_vars,
                            char ***argv_out, struct eh_error *err)
{
    struct words w = {0};
    struct strbuf word = {0};
    bool in_word = false;
    eh_status st = EH_OK;
    size_t i = 0;

    *argv_out = NULL;
    while (st == EH_OK && tmpl[i] != '\0') {
        char c = tmpl[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word)
                words_push(&w, &word);
            in_word = false;
            i++;
            continue;
        }
        in_word = true;
        if (c == '{' || c == '}') {
            st = brace(tmpl, &i, vars, n_vars, &word, err);
        } else if (c == '\\') {
            if (tmpl[i + 1] == '\0')
                st = fail(err, i + 1, "trailing backslash", "");
            else
                sb_addc(&word, tmpl[i + 1]);
            i += 2;
        } else if (c == '\'' || c == '"') {
            size_t open = i++;
            while (st == EH_OK && tmpl[i] != c) {
                if (tmpl[i] == '\0') {
                    st = fail(err, open + 1,
                              c == '\'' ? "unterminated single quote" : "unterminated double quote",
                              "");
                } else if (tmpl[i] == '{' || tmpl[i] == '}') {
                    st = brace(tmpl, &i, vars, n_vars, &word, err);
                } else if (c == '"' && tmpl[i] == '\\' && tmpl[i + 1] != '\0' &&
                           strchr("\"\\$`", tmpl[i + 1]) != NULL) {
                    sb_addc(&word, tmpl[i + 1]);
                    i += 2;
                } else {
                    sb_addc(&word, tmpl[i++]);
                }
            }
            i++; /* the closing quote */
        } else {
            sb_addc(&word, c);
            i++;
        }
    }
    if (st == EH_OK && in_word)
        words_push(&w, &word);
    if (st == EH_OK && w.oom) {
        eh_error_set(err, "command template: out of memory");
        st = EH_ERR;
    }
    if (st == EH_OK && w.n == 0)
        st = fail(err, 1, "empty command", "");
    free(word.s);
    if (st != EH_OK) {
        eh_argv_free(w.v);
        return st;
    }
    *argv_out = w.v;
    return EH_OK;
}

void eh_argv_free(char **argv)
{
    if (argv == NULL)
        return;
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
}

static bool needs_quotes(const char *s)
{
    if (*s == '\0')
        return true;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    strchr("%+,-./:=@_", c) != NULL;
        if (!safe)
            return true;
    }
    return false;
}

char *eh_argv_join(char *const *argv)
{
    struct strbuf b = {0};
    sb_add(&b, "", 0);
    for (size_t i = 0; argv != NULL && argv[i] != NULL; i++) {
        const char *a = argv[i];
        if (i > 0)
            sb_addc(&b, ' ');
        if (!needs_quotes(a)) {
            sb_add(&b, a, strlen(a));
            continue;
        }
        sb_addc(&b, '\'');
        for (; *a; a++) {
            if (*a == '\'')
                sb_add(&b, "'\\''", 4);
            else
                sb_addc(&b, *a);
        }
        sb_addc(&b, '\'');
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
