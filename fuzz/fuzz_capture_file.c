/* fuzz_capture_file.c - libFuzzer target: a whole pcap or pcapng file through the analyze path.
 *
 * The input is written to a memory file (memfd_create) that eh_analyze_file()
 * opens by its /proc/self/fd path, so libpcap reads it as it reads any
 * capture. Checked: a file that cannot be opened gives a message naming the
 * file; an analysis adds up (anomaly total, packet counts), its streamed
 * JSON (eh_analysis_write_json) is exactly the tree (eh_analysis_to_json)
 * dumped with JSON_INDENT(2) | JSON_SORT_KEYS, and the table prints.
 */
#include "analyze.h"
#include "fuzz.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The memory file, made once and rewritten for each input. */
static int memory_file(char *path, size_t len)
{
    static int fd = -1;
    if (fd < 0)
        fd = memfd_create("fuzz-capture", 0);
    EH_FUZZ_CHECK(fd >= 0);
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

static void check_json(const struct eh_analysis *a)
{
    json_t *tree = eh_analysis_to_json(a);
    EH_FUZZ_CHECK(tree != NULL);
    char *want = json_dumps(tree, JSON_INDENT(2) | JSON_SORT_KEYS);
    EH_FUZZ_CHECK(want != NULL);
    json_decref(tree);
    char *got = NULL;
    size_t got_len = 0;
    FILE *out = open_memstream(&got, &got_len);
    EH_FUZZ_CHECK(out != NULL);
    eh_analysis_write_json(a, out);
    EH_FUZZ_CHECK(fclose(out) == 0);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "streamed JSON:\n%s\ntree:\n%s\n", got, want);
        EH_FUZZ_CHECK(!"eh_analysis_write_json() differs from eh_analysis_to_json()");
    }
    free(got);
    free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = memory_file(path, sizeof(path));
    EH_FUZZ_CHECK(ftruncate(fd, 0) == 0);
    EH_FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
    struct eh_analysis *a;
    struct eh_error err = {0};
    if (eh_analyze_file(path, &a, &err) != EH_OK) {
        EH_FUZZ_CHECK(a == NULL && err.set);
        EH_FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
        EH_FUZZ_CHECK(strncmp(err.msg, path, strlen(path)) == 0);
        EH_FUZZ_CHECK(strlen(err.msg) > strlen(path) + 2);
        return 0;
    }
    EH_FUZZ_CHECK(!err.set);
    uint64_t total = 0;
    for (int i = 0; i < EH_ANOM_COUNT; i++)
        total += a->anomalies[i];
    EH_FUZZ_CHECK(total == a->anomaly_total);
    /* each frame decodes to at most one packet, reassembled or not */
    EH_FUZZ_CHECK(a->tcp_segments + a->udp_datagrams + a->decode.other <= a->packets);
    EH_FUZZ_CHECK((a->read_error[0] != '\0') == (a->anomalies[EH_ANOM_UNREADABLE_RECORD] > 0));
    check_json(a);
    FILE *null = fopen("/dev/null", "w");
    EH_FUZZ_CHECK(null != NULL);
    eh_analysis_print(a, null);
    fclose(null);
    eh_analysis_free(a);
    return 0;
}
