/* report_json.c - report.json: the report document itself.
 *
 * Pretty-printed with two-space indentation, keys in the order the document
 * was built (report.h), so that a diff of two runs reads top to bottom.
 * Bytes from programs under test are JSON-escaped by jansson. JSON text is
 * UTF-8, so a string that is not (output captured with
 * json_stringn_nocheck()) is written with each invalid byte as the text
 * \xNN, the same as in the other formats, rather than failing the report.
 */
#include "report.h"

#include <stdlib.h>

/* True if every string value below v is valid UTF-8. */
static bool utf8_clean(const json_t *v)
{
    const char *key;
    const json_t *member;
    size_t i;
    switch (json_typeof(v)) {
    case JSON_STRING:
        return eh_utf8_valid(json_string_value(v), json_string_length(v));
    case JSON_OBJECT:
        json_object_foreach((json_t *)v, key, member) if (!utf8_clean(member)) return false;
        return true;
    case JSON_ARRAY:
        json_array_foreach(v, i, member) if (!utf8_clean(member)) return false;
        return true;
    case JSON_INTEGER:
    case JSON_REAL:
    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL:
        return true;
    }
    return true;
}

/* Rewrites, in place, every string value below v that is not valid UTF-8. */
static void utf8_repair(json_t *v)
{
    const char *key;
    json_t *member;
    size_t i;
    if (json_is_string(v) && !eh_utf8_valid(json_string_value(v), json_string_length(v))) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (f == NULL)
            return;
        eh_escape(f, json_string_value(v), json_string_length(v), EH_ESC_UTF8);
        if (fclose(f) == 0)
            json_string_setn_nocheck(v, buf, len);
        free(buf);
    } else if (json_is_object(v)) {
        json_object_foreach(v, key, member) utf8_repair(member);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, member) utf8_repair(member);
    }
}

eh_status eh__write_json(const json_t *report, FILE *out, struct eh_error *err)
{
    json_t *repaired = NULL;
    if (!utf8_clean(report)) {
        repaired = json_deep_copy(report);
        utf8_repair(repaired);
    }
    int rc = json_dumpf(repaired ? repaired : report, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(repaired);
    if (rc != 0 || fputc('\n', out) == EOF) {
        eh_error_set(err, "report.json: cannot serialize the report");
        return EH_ERR;
    }
    return EH_OK;
}
