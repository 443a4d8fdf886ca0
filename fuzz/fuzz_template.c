/* fuzz_template.c - libFuzzer target: the command-template splitter and its inverse.
 *
 * The input is a command template (up to its first NUL), split with the four
 * placeholders of --server-cmd and one whose value needs every kind of
 * quoting. Checked: a rejected template gives "command template: column N:
 * ..." with N inside the template (or an out-of-memory message); a split one
 * has at least one word, and eh_argv_join() of the words splits back into
 * the same words whenever no word holds a brace (template.h: a brace reads
 * as a placeholder).
 */
#include "fuzz.h"
#include "template.h"

#include <string.h>

static const struct eh_template_var vars[] = {
    {"host", "127.0.0.1"},
    {"port", "65432"},
    {"transport", "tcp"},
    {"family", "ipv4"},
    {"odd", "it's \"quoted\" $HOME `x` \\ \t\n*"},
};

static bool has_brace(char *const *argv)
{
    for (; *argv != NULL; argv++)
        if (strpbrk(*argv, "{}") != NULL)
            return true;
    return false;
}

static void check_round_trip(char *const *argv)
{
    char *line = eh_argv_join(argv);
    EH_FUZZ_CHECK(line != NULL);
    char **again = NULL;
    struct eh_error err = {0};
    if (eh_template_split(line, NULL, 0, &again, &err) != EH_OK) {
        fprintf(stderr, "joined line %s does not split: %s\n", line, err.msg);
        EH_FUZZ_CHECK(!"a joined line splits");
    }
    size_t n = 0;
    for (; argv[n] != NULL; n++) {
        EH_FUZZ_CHECK(again[n] != NULL);
        EH_FUZZ_CHECK(strcmp(argv[n], again[n]) == 0);
    }
    EH_FUZZ_CHECK(again[n] == NULL);
    eh_argv_free(again);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *tmpl = malloc(size + 1);
    EH_FUZZ_CHECK(tmpl != NULL);
    memcpy(tmpl, data, size);
    tmpl[size] = '\0';
    char **argv = NULL;
    struct eh_error err = {0};
    if (eh_template_split(tmpl, vars, sizeof(vars) / sizeof(vars[0]), &argv, &err) == EH_OK) {
        EH_FUZZ_CHECK(!err.set && argv != NULL && argv[0] != NULL);
        if (!has_brace(argv))
            check_round_trip(argv);
        eh_argv_free(argv);
    } else {
        EH_FUZZ_CHECK(argv == NULL && err.set);
        EH_FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
        size_t col;
        int used = 0;
        if (sscanf(err.msg, "command template: column %zu: %n", &col, &used) == 1 && used > 0) {
            EH_FUZZ_CHECK(col >= 1 && col <= strlen(tmpl) + 1);
            EH_FUZZ_CHECK(err.msg[used] != '\0');
        } else {
            EH_FUZZ_CHECK(strcmp(err.msg, "command template: out of memory") == 0);
        }
    }
    free(tmpl);
    return 0;
}
