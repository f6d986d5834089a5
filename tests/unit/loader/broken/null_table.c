/* The entry symbol exists but returns no table. */
#include <rewire/plugin.h>

REWIRE_EXTERN_C REWIRE_EXPORT const rewire_plugin_table *rewire_plugin_entry(void);
REWIRE_EXTERN_C REWIRE_EXPORT const rewire_plugin_table *rewire_plugin_entry(void) { return NULL; }
