/* See html.h. */
#include "html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int figures_add(figure_list *l, const char *stem, const char *caption, const char *section) {
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? 2 * l->cap : 16;
        figure_entry *p = realloc(l->items, cap * sizeof *p);
        if (!p) return -1;
        l->items = p;
        l->cap = cap;
    }
    figure_entry *e = &l->items[l->n++];
    snprintf(e->stem, sizeof e->stem, "%s", stem);
    snprintf(e->caption, sizeof e->caption, "%s", caption);
    snprintf(e->section, sizeof e->section, "%s", section);
    return 0;
}

void figures_free(figure_list *l) {
    free(l->items);
    *l = (figure_list){0};
}

/* Text escaped for HTML, appended to buf (never past its end). */
static void put_escaped(char *buf, size_t cap, size_t *n, const char *s) {
    for (; *s && *n + 8 < cap; s++) {
        const char *r = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;"
                        : *s == '"' ? "&quot;" : NULL;
        if (r) *n += (size_t)snprintf(buf + *n, cap - *n, "%s", r);
        else buf[(*n)++] = *s;
    }
    buf[*n] = 0;
}

static int put(const rewire_host *h, rewire_file *f, const char *s) {
    return h->file_write(h, f, s, strlen(s));
}

static int put_entry(const rewire_host *h, rewire_file *f, const figure_entry *e, bool png, bool svg) {
    char buf[2048];
    size_t n = 0;
    const char *ext = png ? "png" : "svg";
    n += (size_t)snprintf(buf + n, sizeof buf - n, "<figure><a href=\"");
    put_escaped(buf, sizeof buf, &n, e->stem);
    n += (size_t)snprintf(buf + n, sizeof buf - n, ".%s\"><img src=\"", ext);
    put_escaped(buf, sizeof buf, &n, e->stem);
    n += (size_t)snprintf(buf + n, sizeof buf - n, ".%s\" alt=\"", ext);
    put_escaped(buf, sizeof buf, &n, e->caption);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\"></a><figcaption>");
    put_escaped(buf, sizeof buf, &n, e->caption);
    if (png && svg) {
        n += (size_t)snprintf(buf + n, sizeof buf - n, " (<a href=\"");
        put_escaped(buf, sizeof buf, &n, e->stem);
        n += (size_t)snprintf(buf + n, sizeof buf - n, ".svg\">SVG</a>)");
    }
    snprintf(buf + n, sizeof buf - n, "</figcaption></figure>\n");
    return put(h, f, buf);
}

static int put_section(const rewire_host *h, rewire_file *f, const figure_list *l,
                       const char *section, bool png, bool svg) {
    char buf[256];
    size_t n = (size_t)snprintf(buf, sizeof buf, "<h2>");
    put_escaped(buf, sizeof buf, &n, section);
    snprintf(buf + n, sizeof buf - n, "</h2>\n");
    int rc = put(h, f, buf);
    for (uint32_t k = 0; k < l->n && rc == 0; k++)
        if (strcmp(l->items[k].section, section) == 0) rc = put_entry(h, f, &l->items[k], png, svg);
    return rc;
}

int write_index(const rewire_host *host, const figure_list *l, const char *title,
                const char *first_section, bool png, bool svg) {
    rewire_file *f;
    int rc = host->file_open(host, "index.html", &f);
    if (rc) return rc;
    char head[512];
    size_t n = (size_t)snprintf(head, sizeof head,
                                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    put_escaped(head, sizeof head, &n, title);
    snprintf(head + n, sizeof head - n,
             "</title>\n<style>body{font-family:sans-serif;margin:2em}"
             "img{max-width:100%%;border:1px solid #ccc}figure{margin:1em 0}</style>"
             "</head><body>\n");
    rc = put(host, f, head);
    n = (size_t)snprintf(head, sizeof head, "<h1>");
    put_escaped(head, sizeof head, &n, title);
    snprintf(head + n, sizeof head - n, "</h1>\n");
    if (rc == 0) rc = put(host, f, head);
    if (rc == 0) rc = put_section(host, f, l, first_section, png, svg);
    /* The other sections, in the order they were first drawn. */
    for (uint32_t k = 0; k < l->n && rc == 0; k++) {
        const char *s = l->items[k].section;
        bool seen = strcmp(s, first_section) == 0;
        for (uint32_t j = 0; j < k && !seen; j++) seen = strcmp(l->items[j].section, s) == 0;
        if (!seen) rc = put_section(host, f, l, s, png, svg);
    }
    if (rc == 0) rc = put(host, f, "</body></html>\n");
    int rc2 = host->file_close(host, f);
    return rc ? rc : rc2;
}
