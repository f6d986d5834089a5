/* Without a fuzzing engine, run a fuzz target over every file named on the command line
 * (a corpus), so the corpus is replayed as an ordinary test under the sanitizers. */
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int main(int argc, char **argv) {
    int n = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            printf("not ok %d - cannot open %s\n", ++n, argv[i]);
            return 1;
        }
        unsigned char *buf = NULL;
        size_t len = 0, cap = 0, got;
        do {
            if (len == cap) {
                cap = cap ? cap * 2 : 4096;
                unsigned char *nb = realloc(buf, cap);
                if (!nb) {
                    free(buf);
                    fclose(f);
                    return 1;
                }
                buf = nb;
            }
            got = fread(buf + len, 1, cap - len, f);
            len += got;
        } while (got > 0);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        printf("ok %d - %s\n", ++n, argv[i]);
    }
    printf("1..%d\n", n);
    return 0;
}
