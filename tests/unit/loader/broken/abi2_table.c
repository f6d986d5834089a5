/* A plugin file built for a future ABI 2.0: its table says so, and the loader must not
 * read further (the descriptor layout may differ). */
#include <rewire/plugin.h>

REWIRE_EXTERN_C REWIRE_EXPORT const rewire_plugin_table *rewire_plugin_entry(void);
REWIRE_EXTERN_C REWIRE_EXPORT const rewire_plugin_table *rewire_plugin_entry(void) {
    static const rewire_plugin_table table = {2, 0, 1, NULL};
    return &table;
}
