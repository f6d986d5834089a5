/* The config tree, built from libyaml's event stream.  Events (not libyaml's document
 * API) because they carry the position of every scalar, including map keys, and let
 * us check duplicate keys and nesting depth as the tree grows.
 *
 * Aliases (*name) are rejected: they would turn the tree into a graph, hide where a
 * value came from in error messages and open the door to exponential expansion.
 * Anchors alone (&name) are harmless and ignored. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Experiments nest six levels or so; this only guards the recursive walkers. */
#define RW_CONFIG_MAX_DEPTH 100

static const char set_file[] = "--set";

static void *xrealloc(void *p, size_t size) {
    p = realloc(p, size ? size : 1);
    if (!p) abort();
    return p;
}

static char *xstrndup(const char *s, size_t len) {
    char *c = xrealloc(NULL, len + 1);
    if (len) memcpy(c, s, len);
    c[len] = '\0';
    return c;
}

static rw_node *node_new(rw_node_type type, rw_loc loc) {
    rw_node *n = calloc(1, sizeof *n);
    if (!n) abort();
    n->type = type;
    n->loc = loc;
    return n;
}

static rw_node *scalar_new(rw_loc loc, const char *text, size_t len, bool quoted) {
    rw_node *n = node_new(RW_NODE_SCALAR, loc);
    n->scalar = xstrndup(text, len);
    n->quoted = quoted;
    return n;
}

void rw_node_free(rw_node *n) {
    if (!n) return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys) free(n->keys[i]);
        rw_node_free(n->items[i]);
    }
    free(n->keys);
    free(n->key_locs);
    free(n->items);
    free(n->scalar);
    free(n->owned_file);
    free(n);
}

/* Append to a MAP (key != NULL) or SEQ; `cap` is the caller's capacity bookkeeping,
 * NULL to grow by one (edits after loading are rare). */
static void node_append(rw_node *parent, char *key, rw_loc key_loc, rw_node *item,
                        size_t *cap) {
    size_t want = parent->n + 1;
    size_t have = cap ? *cap : parent->n;
    if (want > have) {
        size_t grow = cap ? (have ? have * 2 : 4) : want;
        parent->items = xrealloc(parent->items, grow * sizeof *parent->items);
        if (parent->type == RW_NODE_MAP) {
            parent->keys = xrealloc(parent->keys, grow * sizeof *parent->keys);
            parent->key_locs = xrealloc(parent->key_locs, grow * sizeof *parent->key_locs);
        }
        if (cap) *cap = grow;
    }
    if (parent->type == RW_NODE_MAP) {
        parent->keys[parent->n] = key;
        parent->key_locs[parent->n] = key_loc;
    }
    parent->items[parent->n++] = item;
}

static ptrdiff_t map_index(const rw_node *map, const char *key) {
    if (!map || map->type != RW_NODE_MAP || !key) return -1;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0) return (ptrdiff_t)i;
    return -1;
}

rw_node *rw_map_get(const rw_node *map, const char *key) {
    ptrdiff_t i = map_index(map, key);
    return i < 0 ? NULL : map->items[i];
}

rw_loc rw_map_key_loc(const rw_node *map, const char *key) {
    if (!map) return (rw_loc){0};
    ptrdiff_t i = map_index(map, key);
    return i < 0 ? map->loc : map->key_locs[i];
}

bool rw_node_is_null(const rw_node *n) {
    if (!n || n->type != RW_NODE_SCALAR || n->quoted) return false;
    const char *s = n->scalar;
    return !s || !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

const char *rw_node_describe(const rw_node *n, char *buf, size_t len) {
    if (!n || rw_node_is_null(n))
        snprintf(buf, len, "nothing");
    else if (n->type == RW_NODE_MAP)
        snprintf(buf, len, "a mapping");
    else if (n->type == RW_NODE_SEQ)
        snprintf(buf, len, "a list");
    else if (n->quoted)
        snprintf(buf, len, "the quoted string \"%s\"", n->scalar);
    else
        snprintf(buf, len, "'%s'", n->scalar);
    return buf;
}

/* ---- building the tree from events ---- */

typedef struct frame {
    rw_node *node; /* MAP or SEQ being filled */
    size_t cap;
    bool have_key;    /* MAP: a key was read, its value comes next */
    bool drop_value;  /* MAP: the key was unusable; its value is discarded */
    char *key;
    rw_loc key_loc;
} frame;

typedef struct builder {
    const char *file;
    /* --set values: every position is on the argument's "line", shifted by where
     * the value starts in it. */
    bool set_mode;
    int set_argno, set_col, set_len; /* set_len: the value's length in characters */
    rw_diag *d;
    frame stack[RW_CONFIG_MAX_DEPTH];
    size_t depth;
    rw_node *root;
    bool unusable;
} builder;

static rw_loc mark_loc(const builder *b, yaml_mark_t m) {
    /* libyaml ends the stream on a line of its own; past the argument's first line
     * the best place to point at is its end. */
    if (b->set_mode)
        return (rw_loc){set_file, b->set_argno,
                        b->set_col + (m.line == 0 ? (int)m.column : b->set_len)};
    return (rw_loc){b->file, (int)m.line + 1, (int)m.column + 1};
}

static void deliver(builder *b, rw_node *node) {
    if (b->depth == 0) {
        rw_node_free(b->root); /* only one document is kept; see DOCUMENT_START */
        b->root = node;
        return;
    }
    frame *f = &b->stack[b->depth - 1];
    if (f->node->type == RW_NODE_SEQ) {
        node_append(f->node, NULL, node->loc, node, &f->cap);
        return;
    }
    if (!f->have_key) {
        f->have_key = true;
        f->drop_value = node->type != RW_NODE_SCALAR;
        if (f->drop_value) {
            rw_diag_error(b->d, node->loc, "a mapping key must be a single value, not %s",
                          node->type == RW_NODE_MAP ? "a mapping" : "a list");
            rw_node_free(node);
            return;
        }
        f->key = node->scalar;
        f->key_loc = node->loc;
        node->scalar = NULL;
        rw_node_free(node);
        return;
    }
    f->have_key = false;
    if (f->drop_value) {
        rw_node_free(node);
        return;
    }
    ptrdiff_t first = map_index(f->node, f->key);
    if (first >= 0) {
        rw_diag_error(b->d, f->key_loc, "duplicate key '%s'", f->key);
        rw_diag_note(b->d, f->node->key_locs[first], "'%s' first defined here", f->key);
        free(f->key);
        rw_node_free(node);
    } else {
        node_append(f->node, f->key, f->key_loc, node, &f->cap);
    }
    f->key = NULL;
}

static bool push(builder *b, rw_node *node) {
    if (b->depth == RW_CONFIG_MAX_DEPTH) {
        rw_diag_error(b->d, node->loc, "invalid YAML: nested more than %d levels deep",
                      RW_CONFIG_MAX_DEPTH);
        rw_node_free(node);
        b->unusable = true;
        return false;
    }
    b->stack[b->depth++] = (frame){.node = node};
    return true;
}

static void pop(builder *b) {
    frame f = b->stack[--b->depth];
    free(f.key); /* only set if the map ended between a key and its value */
    deliver(b, f.node);
}

static void discard_stack(builder *b) {
    while (b->depth > 0) {
        frame *f = &b->stack[--b->depth];
        free(f->key);
        rw_node_free(f->node);
    }
}

static bool is_str_tag(const yaml_char_t *tag) {
    return tag && (!strcmp((const char *)tag, "tag:yaml.org,2002:str") ||
                   !strcmp((const char *)tag, "!!str"));
}

/* Reader errors (bad UTF-8, control characters) carry a byte offset, not a mark. */
static rw_loc offset_loc(const builder *b, const char *text, size_t len, size_t offset) {
    int line = 1, col = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    if (b->set_mode) return (rw_loc){set_file, b->set_argno, b->set_col + col - 1};
    return (rw_loc){b->file, line, col};
}

static void report_parser_error(builder *b, const yaml_parser_t *p, const char *text,
                                size_t len) {
    if (p->error == YAML_MEMORY_ERROR) abort();
    const char *problem = p->problem ? p->problem : "cannot parse";
    if (p->error == YAML_READER_ERROR) {
        rw_loc loc = offset_loc(b, text, len, p->problem_offset);
        if (p->problem_value >= 0)
            rw_diag_error(b->d, loc, "invalid YAML: %s (byte 0x%02X)", problem,
                          (unsigned)p->problem_value);
        else
            rw_diag_error(b->d, loc, "invalid YAML: %s", problem);
        return;
    }
    rw_loc loc = mark_loc(b, p->problem_mark);
    rw_diag_error(b->d, loc, "invalid YAML: %s", problem);
    if (p->context) {
        rw_loc cl = mark_loc(b, p->context_mark);
        if (cl.line != loc.line || cl.col != loc.col) rw_diag_note(b->d, cl, "%s", p->context);
    }
}

/* Parse text into b->root.  Returns false on a syntax error (tree discarded). */
static bool build(builder *b, const char *text, size_t len) {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) abort();
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int documents = 0;
    bool ok = true, done = false;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            report_parser_error(b, &parser, text, len);
            ok = false;
            break;
        }
        rw_loc loc = mark_loc(b, ev.start_mark);
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1) {
                rw_diag_error(b->d, loc,
                              "a second YAML document; an experiment is a single document");
                done = true;
            }
            break;
        case YAML_ALIAS_EVENT:
            rw_diag_error(b->d, loc,
                          "aliases are not supported (*%s); write the value out in full",
                          (const char *)ev.data.alias.anchor);
            b->unusable = true;
            deliver(b, scalar_new(loc, "", 0, false));
            break;
        case YAML_SCALAR_EVENT:
            deliver(b, scalar_new(loc, (const char *)ev.data.scalar.value,
                                  ev.data.scalar.length,
                                  ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
                                      is_str_tag(ev.data.scalar.tag)));
            break;
        case YAML_SEQUENCE_START_EVENT:
            if (!push(b, node_new(RW_NODE_SEQ, loc))) ok = false, done = true;
            break;
        case YAML_MAPPING_START_EVENT:
            if (!push(b, node_new(RW_NODE_MAP, loc))) ok = false, done = true;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (b->depth > 0) pop(b);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    discard_stack(b);
    if (!ok) {
        rw_node_free(b->root);
        b->root = NULL;
    }
    return ok;
}

static rw_node *load_buffer(const char *name, const char *text, size_t len, rw_diag *d) {
    char *file = xstrndup(name, strlen(name));
    builder b = {.file = file, .d = d};
    if (!build(&b, text, len) || b.unusable) {
        rw_node_free(b.root);
        free(file);
        return NULL;
    }
    rw_node *root = b.root;
    /* An empty file is an empty experiment: the loader then names what is missing. */
    if (!root || rw_node_is_null(root)) {
        rw_node_free(root);
        root = node_new(RW_NODE_MAP, (rw_loc){file, 0, 0});
    }
    root->owned_file = file;
    return root;
}

rw_node *rw_config_load_string(const char *name, const char *text, rw_diag *d) {
    if (!name) name = "<string>";
    return load_buffer(name, text ? text : "", text ? strlen(text) : 0, d);
}

rw_node *rw_config_load_file(const char *path, rw_diag *d) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        rw_diag_error(d, (rw_loc){path, 0, 0}, "cannot read: %s", strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int err = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) err = errno ? errno : EIO;
            break;
        }
    }
    fclose(f);
    rw_node *root = NULL;
    if (err)
        rw_diag_error(d, (rw_loc){path, 0, 0}, "cannot read: %s", strerror(err));
    else
        root = load_buffer(path, buf, len, d);
    free(buf);
    return root;
}

/* ---- --set ---- */

static rw_loc set_loc(int argno, size_t offset) {
    return (rw_loc){set_file, argno, (int)offset + 1};
}

static rw_node *parse_set_value(const char *text, int argno, int col, rw_diag *d) {
    int chars = 0;
    for (const char *p = text; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
    builder b = {.file = set_file, .set_mode = true, .set_argno = argno, .set_col = col, .set_len = chars, .d = d};
    if (!build(&b, text, strlen(text)) || b.unusable) {
        rw_node_free(b.root);
        return NULL;
    }
    if (!b.root) b.root = scalar_new((rw_loc){set_file, argno, col}, "", 0, false);
    return b.root;
}

static bool all_digits(const char *s) {
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

/* "in 'populations.exc'", or "at the top level" for the root. */
static void describe_parent(const char *path, size_t prefix_len, char *buf, size_t len) {
    if (prefix_len == 0)
        snprintf(buf, len, "at the top level");
    else
        snprintf(buf, len, "in '%.*s'", (int)prefix_len, path);
}

/* Walk the path, one component at a time.  `path` is the text before '=' (its
 * components separated by '.'), starting at offset 0 of the argument. */
static bool set_path(rw_node *root, const char *path, rw_node *value, int argno,
                     rw_diag *d) {
    rw_node *cur = root;
    size_t start = 0, plen = strlen(path);
    char where[256];
    for (;;) {
        size_t end = start;
        while (end < plen && path[end] != '.') end++;
        bool last = end == plen;
        char *comp = xstrndup(path + start, end - start);
        rw_loc loc = set_loc(argno, start);
        size_t prefix_len = start ? start - 1 : 0;
        describe_parent(path, prefix_len, where, sizeof where);
        bool ok = true, finished = false;
        if (!*comp) {
            rw_diag_error(d, loc, "empty key in '%s'", path);
            ok = false;
        } else if (cur->type == RW_NODE_MAP) {
            ptrdiff_t i = map_index(cur, comp);
            if (i >= 0 && last) {
                rw_node_free(cur->items[i]);
                cur->items[i] = value;
                finished = true;
            } else if (i >= 0) {
                cur = cur->items[i];
            } else if (last) {
                node_append(cur, comp, loc, value, NULL);
                comp = NULL; /* now owned by the map */
                finished = true;
            } else {
                const char *s = rw_nearest(comp, (const char *const *)cur->keys, cur->n);
                if (s)
                    rw_diag_error(d, loc, "no key '%s' %s; did you mean '%s'?", comp, where, s);
                else
                    rw_diag_error(d, loc, "no key '%s' %s", comp, where);
                ok = false;
            }
        } else if (cur->type == RW_NODE_SEQ) {
            char *endp = NULL;
            errno = 0;
            unsigned long long idx = all_digits(comp) ? strtoull(comp, &endp, 10) : 0;
            if (!all_digits(comp) || errno == ERANGE) {
                rw_diag_error(d, loc, "'%.*s' is a list; expected an item number, got '%s'",
                              (int)prefix_len, path, comp);
                ok = false;
            } else if (idx < cur->n && last) {
                rw_node_free(cur->items[idx]);
                cur->items[idx] = value;
                finished = true;
            } else if (idx < cur->n) {
                cur = cur->items[idx];
            } else if (idx == cur->n && last) {
                node_append(cur, NULL, loc, value, NULL);
                finished = true;
            } else {
                rw_diag_error(d, loc, "item %s is out of range: '%.*s' has %zu item%s", comp,
                              (int)prefix_len, path, cur->n, cur->n == 1 ? "" : "s");
                ok = false;
            }
        } else {
            if (prefix_len == 0)
                rw_diag_error(d, loc, "cannot set '%s': the document is not a mapping", comp);
            else
                rw_diag_error(d, loc, "cannot set '%s' %s: it is a single value, not a mapping",
                              comp, where);
            ok = false;
        }
        free(comp);
        if (!ok) return false;
        if (finished) return true;
        start = end + 1;
    }
}

bool rw_config_set(rw_node *root, const char *assignment, int argno, rw_diag *d) {
    const char *eq = strchr(assignment, '=');
    if (!eq) {
        rw_diag_error(d, set_loc(argno, 0),
                      "expected PATH=VALUE (e.g. 'experiment.dt=0.1 ms'), got '%s'", assignment);
        return false;
    }
    if (eq == assignment) {
        rw_diag_error(d, set_loc(argno, 0), "missing the path before '='");
        return false;
    }
    if (!root) {
        rw_diag_error(d, set_loc(argno, 0), "no document to apply '%s' to", assignment);
        return false;
    }
    size_t value_off = (size_t)(eq - assignment) + 1;
    rw_node *value = parse_set_value(eq + 1, argno, (int)value_off + 1, d);
    if (!value) return false;
    char *path = xstrndup(assignment, (size_t)(eq - assignment));
    bool ok = set_path(root, path, value, argno, d);
    free(path);
    if (!ok) rw_node_free(value);
    return ok;
}

/* ---- dump ---- */

static bool emit(yaml_emitter_t *e, yaml_event_t *ev) {
    return yaml_emitter_emit(e, ev) != 0;
}

static bool emit_node(yaml_emitter_t *e, const rw_node *n) {
    yaml_event_t ev;
    switch (n->type) {
    case RW_NODE_SCALAR: {
        const char *s = n->scalar ? n->scalar : "";
        yaml_scalar_style_t style =
            n->quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE;
        if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1,
                                          1, style))
            return false;
        return emit(e, &ev);
    }
    case RW_NODE_SEQ:
        if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_ANY_SEQUENCE_STYLE) ||
            !emit(e, &ev))
            return false;
        for (size_t i = 0; i < n->n; i++)
            if (!emit_node(e, n->items[i])) return false;
        return yaml_sequence_end_event_initialize(&ev) && emit(e, &ev);
    case RW_NODE_MAP:
        if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_ANY_MAPPING_STYLE) ||
            !emit(e, &ev))
            return false;
        for (size_t i = 0; i < n->n; i++) {
            const rw_node key = {.type = RW_NODE_SCALAR, .scalar = n->keys[i]};
            if (!emit_node(e, &key) || !emit_node(e, n->items[i])) return false;
        }
        return yaml_mapping_end_event_initialize(&ev) && emit(e, &ev);
    }
    return false;
}

char *rw_config_dump(const rw_node *root) {
    if (!root) return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    yaml_emitter_t e;
    if (!yaml_emitter_initialize(&e)) abort();
    yaml_emitter_set_output_file(&e, f);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, -1);
    yaml_event_t ev;
    bool ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && emit(&e, &ev) &&
              yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && emit(&e, &ev) &&
              emit_node(&e, root) && yaml_document_end_event_initialize(&ev, 1) &&
              emit(&e, &ev) && yaml_stream_end_event_initialize(&ev) && emit(&e, &ev) &&
              yaml_emitter_flush(&e);
    yaml_emitter_delete(&e);
    if (fclose(f) != 0) ok = false;
    if (!ok) {
        free(buf);
        return NULL;
    }
    return buf;
}
