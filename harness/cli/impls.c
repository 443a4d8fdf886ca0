/* impls.c - the implementations a run judges.
 *
 * `echoharness run` judges one implementation (the reference builds, or the
 * program of --server-cmd/--client-cmd, named by --name), or several, each
 * given as --impl NAME=CMD (a server), --impl-client NAME=CMD (a client) or
 * listed in an --impls FILE:
 *
 *   {"implementations": [
 *     {"name": "socat", "server": "socat TCP-LISTEN:{port},reuseaddr,fork EXEC:cat",
 *      "transports": ["tcp"], "families": ["ipv4"]},
 *     {"name": "my-client", "client": "./my-client {host} {port}"}
 *   ]}
 *
 * Each has a name that is a folder name of its report, and a scenario applies
 * to it when a role it replaces is under test in the scenario over a
 * transport and family it serves. See cli.h.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64

bool eh__impl_name_ok(const char *name, char *why, size_t len)
{
    size_t n = strlen(name);
    if (n == 0 || n > NAME_MAX_LEN) {
        snprintf(why, len, "expected a name of 1 to %d characters", NAME_MAX_LEN);
        return false;
    }
    if (name[0] == '.' || name[0] == '-' ||
        strspn(name, "abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") != n) {
        snprintf(why, len,
                 "'%s' is not a name: letters, digits, '.', '_', '+' and '-', not starting with "
                 "'.' or '-' (it names the implementation's report folder)",
                 name);
        return false;
    }
    return true;
}

struct eh__impl *eh__impls_push(struct eh__impls *impls, const char *name, const char *option)
{
    impls->v = realloc(impls->v, (impls->n + 1) * sizeof(*impls->v));
    struct eh__impl *impl = &impls->v[impls->n++];
    *impl = (struct eh__impl){.name = strdup(name), .option = strdup(option)};
    return impl;
}

/* Refuses a second implementation of the same name. */
static bool name_is_new(const struct eh__impls *impls, const char *name, const char *option)
{
    for (size_t i = 0; i < impls->n; i++) {
        if (strcmp(impls->v[i].name, name) == 0) {
            fprintf(stderr, "echoharness run: %s: the name '%s' is already given by %s\n", option,
                    name, impls->v[i].option);
            return false;
        }
    }
    return true;
}

bool eh__impls_add(struct eh__impls *impls, const char *option, const char *arg, bool client)
{
    const char *eq = strchr(arg, '=');
    char name[NAME_MAX_LEN + 2], why[256], label[128];
    if (eq == NULL || eq[1] == '\0') {
        fprintf(stderr, "echoharness run: %s: expected NAME=CMD, got '%s'\n", option, arg);
        return false;
    }
    snprintf(name, sizeof(name), "%.*s",
             (int)(eq - arg < NAME_MAX_LEN + 1 ? eq - arg : NAME_MAX_LEN + 1), arg);
    if (!eh__impl_name_ok(name, why, sizeof(why))) {
        fprintf(stderr, "echoharness run: %s: %s\n", option, why);
        return false;
    }
    snprintf(label, sizeof(label), "%s %s", option, name);
    if (!name_is_new(impls, name, label))
        return false;
    struct eh__impl *impl = eh__impls_push(impls, name, label);
    *(client ? &impl->client_cmd : &impl->server_cmd) = strdup(eq + 1);
    return true;
}

/* Reads a list of transport or family names into a bit set. */
static bool read_names(const json_t *list, const char *const *names, unsigned *out,
                       const char *where, const char *key)
{
    size_t i;
    const json_t *v;
    *out = 0;
    if (!json_is_array(list) || json_array_size(list) == 0) {
        fprintf(stderr, "%s.%s: expected a non-empty array of names\n", where, key);
        return false;
    }
    json_array_foreach(list, i, v)
    {
        unsigned bit = 0;
        for (unsigned k = 0; names[k] && json_is_string(v); k++)
            if (strcmp(names[k], json_string_value(v)) == 0)
                bit = 1u << k;
        if (bit == 0) {
            fprintf(stderr, "%s.%s[%zu]: expected one of %s, %s\n", where, key, i, names[0],
                    names[1]);
            return false;
        }
        *out |= bit;
    }
    return true;
}

/* One entry of an --impls file. where is "FILE: $.implementations[i]". */
static bool load_entry(struct eh__impls *impls, const json_t *e, const char *where)
{
    static const char *const keys[] = {"name", "server", "client", "transports", "families"};
    const char *key, *name = json_string_value(json_object_get(e, "name"));
    const json_t *v;
    char why[256];
    if (!json_is_object(e)) {
        fprintf(stderr, "%s: expected an object\n", where);
        return false;
    }
    json_object_foreach((json_t *)e, key, v)
    {
        bool known = false;
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            known |= strcmp(key, keys[k]) == 0;
        bool is_cmd = strcmp(key, "server") == 0 || strcmp(key, "client") == 0;
        if (!known || ((is_cmd || strcmp(key, "name") == 0) && !json_is_string(v))) {
            fprintf(stderr, "%s.%s: %s\n", where, key,
                    known ? "expected a string"
                          : "unknown key (name, server, client, "
                            "transports, families)");
            return false;
        }
    }
    if (name == NULL || !eh__impl_name_ok(name, why, sizeof(why))) {
        fprintf(stderr, "%s.name: %s\n", where, name ? why : "expected a string");
        return false;
    }
    if (!json_object_get(e, "server") && !json_object_get(e, "client")) {
        fprintf(stderr, "%s: expected \"server\" or \"client\", the command under test\n", where);
        return false;
    }
    if (!name_is_new(impls, name, where))
        return false;
    struct eh__impl *impl = eh__impls_push(impls, name, where);
    const char *server = json_string_value(json_object_get(e, "server"));
    const char *client = json_string_value(json_object_get(e, "client"));
    impl->server_cmd = server ? strdup(server) : NULL;
    impl->client_cmd = client ? strdup(client) : NULL;
    return (!json_object_get(e, "transports") ||
            read_names(json_object_get(e, "transports"), eh_transport_names, &impl->transports,
                       where, "transports")) &&
           (!json_object_get(e, "families") ||
            read_names(json_object_get(e, "families"), eh_family_names, &impl->families, where,
                       "families"));
}

bool eh__impls_load(struct eh__impls *impls, const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        if (jerr.line < 0)
            fprintf(stderr, "echoharness run: --impls: %s: %s\n", path, jerr.text);
        else
            fprintf(stderr, "%s:%d:%d: %s\n", path, jerr.line, jerr.column, jerr.text);
        return false;
    }
    const json_t *list = json_object_get(doc, "implementations");
    bool ok = json_is_object(doc) && json_object_size(doc) == 1 && json_is_array(list) &&
              json_array_size(list) > 0;
    if (!ok)
        fprintf(stderr, "%s: $: expected {\"implementations\": [...]} with at least one\n", path);
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        char where[4200];
        snprintf(where, sizeof(where), "%s: $.implementations[%zu]", path, i);
        if (ok && !load_entry(impls, e, where))
            ok = false;
    }
    json_decref(doc);
    return ok;
}

bool eh__impl_applies(const struct eh__impl *impl, const struct eh_scenario *sc)
{
    if (impl->transports && !(impl->transports & (1u << sc->transport)))
        return false;
    if (impl->families && !(impl->families & (1u << sc->family)))
        return false;
    const struct eh_role *server = &sc->roles[EH_SERVER], *client = &sc->roles[EH_CLIENT];
    return (impl->server_cmd && server->present && server->under_test && server->n_steps == 0) ||
           (impl->client_cmd && client->present && client->under_test && client->n_steps == 0);
}

/* A bit set of names as a JSON array. */
static json_t *names_json(unsigned bits, const char *const *names)
{
    json_t *a = json_array();
    for (unsigned k = 0; names[k]; k++)
        if (bits & (1u << k))
            json_array_append_new(a, json_string(names[k]));
    return a;
}

json_t *eh__impl_json(const struct eh__impl *impl)
{
    json_t *o = json_pack("{s:s}", "name", impl->name);
    const char *keys[] = {"server_command", "client_command", "server_program", "client_program"};
    const char *values[] = {impl->server_cmd, impl->client_cmd, impl->server_program,
                            impl->client_program};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (values[i] != NULL)
            json_object_set_new(o, keys[i], json_string(values[i]));
    if (impl->transports)
        json_object_set_new(o, "transports", names_json(impl->transports, eh_transport_names));
    if (impl->families)
        json_object_set_new(o, "families", names_json(impl->families, eh_family_names));
    return o;
}

void eh__impls_free(struct eh__impls *impls)
{
    for (size_t i = 0; i < impls->n; i++) {
        free(impls->v[i].name);
        free(impls->v[i].option);
        free(impls->v[i].server_cmd);
        free(impls->v[i].client_cmd);
        free(impls->v[i].server_program);
        free(impls->v[i].client_program);
    }
    free(impls->v);
    *impls = (struct eh__impls){0};
}
