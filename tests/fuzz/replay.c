// SPDX-License-Identifier: Apache-2.0
/*
 * replay.c - run a libFuzzer target over its corpus without libFuzzer:
 * every file named on the command line (directories are walked one level)
 * is passed once to LLVMFuzzerTestOneInput. This is what every normal
 * build runs in the `fuzz` suite, under the sanitizers; -Dfuzzing=true
 * builds the real fuzzers instead. Prints TAP, one line per input.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count;

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long size;

    if (!f) {
        printf("not ok %d - %s: cannot open\n", ++count, path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(size > 0 ? (size_t)size : 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(buf);
        printf("not ok %d - %s: cannot read\n", ++count, path);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)size);
    free(buf);
    printf("ok %d - %s\n", ++count, path);
    return 0;
}

static int
run_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), failed = 0;

    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        if (names[i]->d_name[0] != '.' && stat(path, &sb) == 0 &&
            S_ISREG(sb.st_mode)) {
            failed |= run_file(path);
        }
        free(names[i]);
    }
    free(names);
    return failed;
}

int
main(int argc, char **argv)
{
    int failed = 0;

    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            failed |= run_dir(argv[i]);
        } else {
            failed |= run_file(argv[i]);
        }
    }
    printf("1..%d\n", count);
    return failed || count == 0;
}
