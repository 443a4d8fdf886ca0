/* fuzz_report_reader.c - libFuzzer target: report.json as `echoharness diff` reads it.
 *
 * The input is the text of a report file named "fuzz.json", read with
 * eh_report_load_text() (eh_report_load() without the file read). A document
 * the reader accepts is then used as diff and the report writers use it: it
 * is compared with itself and with an empty report, and written in every
 * format (report.json, junit.xml, report.html, summary.md). Checked: a
 * rejected document gives one message that starts with the file name; a
 * report compared with itself shows no difference; nothing is a regression
 * against an empty report, or the other way round; every writer succeeds,
 * and the report.json written reads back as a report.
 */
#include "fuzz.h"
#include "report.h"

#include <string.h>

#define NAME "fuzz.json"

/* Runs eh_report_diff() into a string; *text gets the output (caller frees). */
static int diff(const json_t *old_report, const json_t *new_report, char **text)
{
    size_t len;
    FILE *out = open_memstream(text, &len);
    EH_FUZZ_CHECK(out != NULL);
    int regressions = eh_report_diff(old_report, new_report, out);
    EH_FUZZ_CHECK(fclose(out) == 0);
    return regressions;
}

static void check_diffs(const json_t *report)
{
    char *text;
    EH_FUZZ_CHECK(diff(report, report, &text) == 0);
    EH_FUZZ_CHECK(
        strcmp(text, "0 regressions, 0 fixed, 0 changed, 0 new, 0 skipped, 0 not run\n") == 0);
    free(text);
    json_t *empty = json_pack("{s:[]}", "scenarios");
    EH_FUZZ_CHECK(empty != NULL);
    EH_FUZZ_CHECK(diff(empty, report, &text) == 0);
    free(text);
    EH_FUZZ_CHECK(diff(report, empty, &text) == 0);
    free(text);
    json_decref(empty);
}

static void check_writers(const json_t *report)
{
    for (const struct eh_report_writer *w = eh_report_writers; w->file != NULL; w++) {
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        EH_FUZZ_CHECK(out != NULL);
        struct eh_error err = {0};
        if (w->write(report, out, &err) != EH_OK) {
            fprintf(stderr, "%s: %s\n", w->file, err.msg);
            EH_FUZZ_CHECK(!"every writer writes a report the reader accepted");
        }
        EH_FUZZ_CHECK(fclose(out) == 0);
        if (strcmp(w->file, "report.json") == 0) {
            json_t *again;
            if (eh_report_load_text(w->file, text, len, &again, &err) != EH_OK)
                fprintf(stderr, "%s\n", err.msg);
            EH_FUZZ_CHECK(again != NULL);
            json_decref(again);
        }
        free(text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eh_error err = {0};
    json_t *report;
    if (eh_report_load_text(NAME, (const char *)data, size, &report, &err) != EH_OK) {
        EH_FUZZ_CHECK(report == NULL);
        EH_FUZZ_CHECK(err.set);
        EH_FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
        EH_FUZZ_CHECK(strncmp(err.msg, NAME ":", strlen(NAME ":")) == 0);
        EH_FUZZ_CHECK(strlen(err.msg) > strlen(NAME ": "));
        return 0;
    }
    EH_FUZZ_CHECK(!err.set);
    EH_FUZZ_CHECK(json_is_array(json_object_get(report, "scenarios")));
    check_diffs(report);
    check_writers(report);
    json_decref(report);
    return 0;
}
