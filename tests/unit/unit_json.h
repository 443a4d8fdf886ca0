/* unit_json.h - readable JSON fixtures for the unit tests that use jansson.
 *
 * A fixture is written with ' where JSON has ", so that it can stand in a C
 * string without a backslash before every quote: J("{'call':'recv'}").
 */
#ifndef EH_TEST_UNIT_JSON_H
#define EH_TEST_UNIT_JSON_H

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Parses TEXT, written with ' for ", and fails the test if it is not JSON. */
static inline json_t *J(const char *text)
{
    char *s = strdup(text);
    ck_assert(s != NULL);
    for (char *c = s; *c; c++)
        if (*c == '\'')
            *c = '"';
    json_error_t jerr;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &jerr);
    ck_assert_msg(j != NULL, "fixture: %s: %s", jerr.text, text);
    free(s);
    return j;
}

#endif
