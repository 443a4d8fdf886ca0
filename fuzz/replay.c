/* replay.c - runs a fuzz target over files, without libFuzzer.
 *
 * Linked with one fuzz_<name>.c in every build (fuzz/CMakeLists.txt) as
 * replay_<name>, so that CTest replays the seed corpora and the saved crash
 * inputs (tests/data/fuzz-regressions/<name>/) with the compiler and
 * sanitizers of that build. Usage: replay_<name> FILE|DIR...; a directory
 * stands for the regular files directly inside it. Each input is read into a
 * buffer of exactly its size, as libFuzzer passes it. Exit status: 0 every
 * input ran, 2 an argument could not be read or named no input at all; a
 * broken invariant or a sanitizer report aborts.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* Reads a whole file into a malloc'd buffer of exactly its size. */
static int read_whole(const char *path, uint8_t **data, size_t *size)
{
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
        fclose(f);
        return -1;
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size ? *size : 1);
    size_t got = *data ? fread(*data, 1, *size, f) : 0;
    int bad = *data == NULL || got != *size || ferror(f);
    fclose(f);
    if (bad) {
        free(*data);
        return -1;
    }
    return 0;
}

static int run_file(const char *path)
{
    uint8_t *data;
    size_t size;
    if (read_whole(path, &data, &size) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno ? errno : EIO));
        return -1;
    }
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

/* Runs every regular file directly inside dir; returns how many, or -1. */
static long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    long n = 0;
    struct dirent *e;
    char path[4096];
    while (n >= 0 && (e = readdir(d)) != NULL) {
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        n = run_file(path) == 0 ? n + 1 : -1;
    }
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long n;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            n = run_dir(argv[i]);
        else
            n = run_file(argv[i]) == 0 ? 1 : -1;
        if (n <= 0) {
            if (n == 0)
                fprintf(stderr, "replay: %s: no input in it\n", argv[i]);
            return 2;
        }
        printf("%s: %ld input%s\n", argv[i], n, n == 1 ? "" : "s");
    }
    return 0;
}
