/* Small helpers over libhdf5 for the hdf5 output: extendible 1-D datasets that grow by
 * appending, and attributes (strings, numbers) in one call each.  All return 0 or -1;
 * the caller turns -1 into a message (the HDF5 error stack printing is off). */
#ifndef REWIRE_HDF5_H5UTIL_H
#define REWIRE_HDF5_H5UTIL_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

/* A 1-D dataset of any type with an unlimited maximum size, chunked, appended to. */
typedef struct h5_column {
    hid_t dset;   /* < 0 when absent */
    hsize_t rows; /* rows written so far */
} h5_column;

/* Create `name` under `loc` with file type `ftype`; chunk = rows per chunk; deflate
 * 0 (none) to 9. */
int h5_column_create(h5_column *c, hid_t loc, const char *name, hid_t ftype, hsize_t chunk,
                     int deflate);
/* Append n rows from `buf`, whose elements have memory type `mtype` (HDF5 converts, e.g.
 * uint32 in memory to uint64 in the file). */
int h5_column_append(h5_column *c, hid_t mtype, const void *buf, size_t n);
void h5_column_close(h5_column *c);

/* A variable-length UTF-8 string type (close it with H5Tclose). */
hid_t h5_string_type(void);

int h5_attr_string(hid_t loc, const char *name, const char *value);
int h5_attr_strings(hid_t loc, const char *name, const char *const *values, size_t n);
int h5_attr_double(hid_t loc, const char *name, double value);
int h5_attr_u64(hid_t loc, const char *name, uint64_t value);
int h5_attr_int(hid_t loc, const char *name, int value);

#endif
