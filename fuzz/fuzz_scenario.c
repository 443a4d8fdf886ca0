/* fuzz_scenario.c - libFuzzer target: the scenario loader over arbitrary file text.
 *
 * The input is the text of a scenario file named "fuzz.json", loaded with
 * eh_scenario_load_text() (eh_scenario_load() without the file read). The
 * text is copied so that the byte after it is the NUL the loader expects and
 * any read past it is AddressSanitizer's to see. Checked: a rejected file
 * gives one NUL-terminated message that starts with the file name and says
 * something after it; a loaded one has the file stem as its name, values
 * in their documented ranges, and every payload byte readable.
 */
#include "fuzz.h"
#include "scenario.h"

#include <string.h>

#define NAME "fuzz.json"

/* The steps, and those nested in repeat and pause_server (one level). */
static void check_steps(const struct eh_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct eh_step *s = &steps[i];
        EH_FUZZ_CHECK(memchr(s->path, '\0', sizeof(s->path)) != NULL);
        /* A random payload is made when its step runs (eh_step_bytes()):
         * nothing is held for it; text and hex are held whole. */
        EH_FUZZ_CHECK(s->random ? s->data == NULL : s->data_len == 0 || s->data != NULL);
        unsigned sum = 0;
        for (size_t k = 0; !s->random && k < s->data_len; k++)
            sum += s->data[k];
        (void)sum;
        EH_FUZZ_CHECK(s->n_steps == 0 || s->steps != NULL);
        check_steps(s->steps, s->n_steps);
    }
}

static void check_role(const struct eh_role *r)
{
    EH_FUZZ_CHECK(r->n_args == 0 || r->args != NULL);
    for (size_t i = 0; i < r->n_args; i++)
        EH_FUZZ_CHECK(r->args[i] != NULL);
    check_steps(r->steps, r->n_steps);
}

static void check_loaded(const struct eh_scenario *sc)
{
    EH_FUZZ_CHECK(sc != NULL);
    EH_FUZZ_CHECK(strcmp(sc->name, "fuzz") == 0 && strcmp(sc->path, NAME) == 0);
    EH_FUZZ_CHECK(sc->description != NULL && sc->kind != NULL && sc->host != NULL);
    EH_FUZZ_CHECK(strcmp(sc->kind, "behaviour") == 0 || strcmp(sc->kind, "conformance") == 0);
    EH_FUZZ_CHECK(sc->port >= 0 && sc->port <= 65535);
    EH_FUZZ_CHECK(sc->timeout_ms > 0);
    /* the server is there, or absent ("absent": true) with nothing to run */
    EH_FUZZ_CHECK(sc->roles[EH_SERVER].present ||
                  (!sc->roles[EH_SERVER].under_test && sc->roles[EH_SERVER].n_args == 0));
    for (size_t i = 0; i < sc->n_tags; i++)
        EH_FUZZ_CHECK(eh_scenario_has_tag(sc, sc->tags[i]));
    for (int r = 0; r < EH_ROLE_COUNT; r++)
        check_role(&sc->roles[r]);
    EH_FUZZ_CHECK(sc->n_expects > 0);
    for (size_t i = 0; i < sc->n_expects; i++) {
        const struct eh_expect *e = &sc->expects[i];
        EH_FUZZ_CHECK(memchr(e->path, '\0', sizeof(e->path)) != NULL);
        EH_FUZZ_CHECK(e->n_codes <= EH_MAX_OUTCOMES && e->n_signals <= EH_MAX_OUTCOMES);
        EH_FUZZ_CHECK(strcmp(eh_expect_name(e->kind), "?") != 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    EH_FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    struct eh_scenario *sc = NULL;
    struct eh_error err = {0};
    if (eh_scenario_load_text(NAME, text, size, &sc, &err) == EH_OK) {
        EH_FUZZ_CHECK(!err.set);
        check_loaded(sc);
    } else {
        EH_FUZZ_CHECK(sc == NULL && err.set);
        EH_FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
        EH_FUZZ_CHECK(strncmp(err.msg, NAME ":", strlen(NAME ":")) == 0);
        EH_FUZZ_CHECK(strlen(err.msg) > strlen(NAME ": "));
    }
    eh_scenario_free(sc);
    free(text);
    return 0;
}
