/* Services the host hands to every plugin instance.  Plugins never link against the
 * host: everything they need from it comes through this table (as Redis modules do).
 *
 * Threads: rewire runs one libuv loop thread.  Until the kernel gets worker threads,
 * kernel hooks run on that thread too, between slices.  Each function below says where
 * it may be called:  [any]  any hook, any thread;  [loop]  hooks that run on the loop
 * thread (create/start/stop/destroy, output hooks, injury/intervention hooks).
 */
#ifndef REWIRE_HOST_H
#define REWIRE_HOST_H

#include "abi.h"
#include "network.h"
#include "params.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rewire_log_level {
    REWIRE_LOG_ERROR = 0,
    REWIRE_LOG_WARN = 1,
    REWIRE_LOG_INFO = 2,
    REWIRE_LOG_DEBUG = 3
} rewire_log_level;

typedef struct rewire_file rewire_file; /* opaque, owned by the host */

#if defined(__GNUC__)
#define REWIRE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define REWIRE_PRINTF(a, b)
#endif

typedef struct rewire_host rewire_host;
struct rewire_host {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    const char *host_version;        /* rewire's version string */
    const char *instance_name;       /* e.g. "projection 'ee' rule 'stdp'" */
    void *host_data;                 /* private to the host */

    /* [any] Log a message, prefixed with the instance name. */
    void (*log)(const rewire_host *h, rewire_log_level level, const char *fmt, ...)
        REWIRE_PRINTF(3, 4);
    /* [loop] Explain why the last call failed; shown to the user with the file
     * location of the plugin's configuration. */
    void (*set_error)(const rewire_host *h, const char *fmt, ...) REWIRE_PRINTF(2, 3);
    /* [any] Optional capability by string id with revision ("rewire.foo/1"); NULL when
     * the host lacks it. */
    const void *(*get_extension)(const rewire_host *h, const char *id);

    /* [any] Counter-based random numbers keyed by (run seed, this instance's stream,
     * entity, counter): the same arguments give the same number in every run with that
     * seed, whatever the slice size or thread count.  Uniform in [0, 1). */
    double (*random_uniform)(const rewire_host *h, uint64_t entity, uint64_t counter);

    /* [loop] The run's output folder (exists when outputs are started). */
    const char *(*output_dir)(const rewire_host *h);
    /* [loop] Files inside the output folder, through the host's event loop (libuv).
     * Writes are appended in order; pwrite writes at an offset (headers rewritten in
     * place).  All return 0 or a negative rewire_status and set an error message. */
    int (*file_open)(const rewire_host *h, const char *relative_path, rewire_file **out);
    int (*file_write)(const rewire_host *h, rewire_file *f, const void *buf, size_t n);
    int (*file_pwrite)(const rewire_host *h, rewire_file *f, const void *buf, size_t n,
                       uint64_t offset);
    int (*file_close)(const rewire_host *h, rewire_file *f);
    /* [loop] The libuv loop (uv_loop_t *) for plugins that open sockets or timers. */
    void *(*uv_loop)(const rewire_host *h);

    /* [loop] Look up parts of the network by name; ENOENT when absent. */
    int (*population_find)(const rewire_host *h, const char *name,
                           rewire_population_view *out);
    int (*projection_find)(const rewire_host *h, const char *name,
                           rewire_projection_view **out);

    /* ---- ABI 1.2 ---- (call only when REWIRE_HAS_FIELD(rewire_host, ...) says so) */
    /* [loop] The next step the kernel will simulate (0 at the start of the run). */
    int64_t (*now)(const rewire_host *h);
    /* [loop] Simulated ms per clinical day (the experiment's `time_scale`), 0 if none. */
    double (*day_length)(const rewire_host *h);
    /* [loop] The network's parts by index, in the experiment's order; ENOENT past the end. */
    int (*population_at)(const rewire_host *h, uint32_t index, rewire_population_view *out);
    int (*projection_at)(const rewire_host *h, uint32_t index, rewire_projection_view **out);
    /* [loop] Injuries.  The selected neurons die: they never spike again (LIF held at
     * reset, sources and rate units silent), their excitability becomes 0 and every
     * synapse from or onto them, in every projection, is removed. */
    int (*kill_neurons)(const rewire_host *h, const rewire_selection *sel);
    /* [loop] Remove synapses of `projection` whose source is in `pre` and whose target
     * is in `post` (NULL: any), each with probability `fraction` (1: all), drawn from
     * this instance's random stream.  *removed (may be NULL) gets the count.
     * For both: spikes already in flight through a removed synapse (emitted, waiting
     * in the delay buffers) are never delivered, and the projection's arrays shrink in
     * place: re-read n_syn, row_offsets, ... of its view afterwards. */
    int (*remove_synapses)(const rewire_host *h, const char *projection,
                           const rewire_selection *pre, const rewire_selection *post,
                           double fraction, uint64_t *removed);
};

#ifdef __cplusplus
}
#endif
#endif
