/* A shared object in a plugin folder that is not a plugin: it exports a function, but
 * not rewire_plugin_entry. */
__attribute__((visibility("default"))) int helper_for_something_else(int x);
__attribute__((visibility("default"))) int helper_for_something_else(int x) { return x + 1; }
