/* index.html: every figure drawn, with its caption, grouped by when it was drawn (the
 * end of the run first, then each phase end when `every_phase` is on). */
#ifndef REWIRE_PLOT_HTML_H
#define REWIRE_PLOT_HTML_H

#include <rewire/host.h>
#include <stdbool.h>

typedef struct figure_entry {
    char stem[160];
    char caption[256];
    char section[96];
} figure_entry;

typedef struct figure_list {
    figure_entry *items;
    uint32_t n, cap;
} figure_list;

int figures_add(figure_list *l, const char *stem, const char *caption, const char *section);
void figures_free(figure_list *l);
/* Write index.html; `first_section` is listed before the others. */
int write_index(const rewire_host *host, const figure_list *l, const char *title,
                const char *first_section, bool png, bool svg);

#endif
