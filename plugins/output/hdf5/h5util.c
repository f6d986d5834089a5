/* See h5util.h. */
#include "h5util.h"

int h5_column_create(h5_column *c, hid_t loc, const char *name, hid_t ftype, hsize_t chunk,
                     int deflate) {
    c->dset = -1;
    c->rows = 0;
    hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunks[1] = {chunk};
    hid_t space = H5Screate_simple(1, dims, maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (space < 0 || dcpl < 0) goto fail;
    if (H5Pset_chunk(dcpl, 1, chunks) < 0) goto fail;
    /* Deflate only where the library was built with it (Debian's is). */
    if (deflate > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
        if (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, (unsigned)deflate) < 0) goto fail;
    }
    c->dset = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
fail:
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    return c->dset < 0 ? -1 : 0;
}

int h5_column_append(h5_column *c, hid_t mtype, const void *buf, size_t n) {
    if (n == 0) return 0;
    hsize_t start[1] = {c->rows}, count[1] = {n}, size[1] = {c->rows + n};
    if (H5Dset_extent(c->dset, size) < 0) return -1;
    hid_t fspace = H5Dget_space(c->dset);
    hid_t mspace = H5Screate_simple(1, count, NULL);
    int rc = -1;
    if (fspace >= 0 && mspace >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
        H5Dwrite(c->dset, mtype, mspace, fspace, H5P_DEFAULT, buf) >= 0) {
        c->rows += n;
        rc = 0;
    }
    if (mspace >= 0) H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
    return rc;
}

void h5_column_close(h5_column *c) {
    if (c->dset >= 0) H5Dclose(c->dset);
    c->dset = -1;
}

hid_t h5_string_type(void) {
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Create (or replace) attribute `name` of `type` and shape `space`, write `buf`. */
static int write_attr(hid_t loc, const char *name, hid_t type, hid_t space, const void *buf) {
    if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0) return -1;
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return -1;
    int rc = H5Awrite(a, type, buf) < 0 ? -1 : 0;
    H5Aclose(a);
    return rc;
}

static int scalar_attr(hid_t loc, const char *name, hid_t type, const void *buf) {
    hid_t space = H5Screate(H5S_SCALAR);
    if (space < 0) return -1;
    int rc = write_attr(loc, name, type, space, buf);
    H5Sclose(space);
    return rc;
}

int h5_attr_string(hid_t loc, const char *name, const char *value) {
    hid_t t = h5_string_type();
    if (t < 0) return -1;
    const char *v = value ? value : "";
    int rc = scalar_attr(loc, name, t, &v);
    H5Tclose(t);
    return rc;
}

int h5_attr_strings(hid_t loc, const char *name, const char *const *values, size_t n) {
    hid_t t = h5_string_type();
    hsize_t dims[1] = {n};
    hid_t space = H5Screate_simple(1, dims, NULL);
    int rc = -1;
    if (t >= 0 && space >= 0) rc = write_attr(loc, name, t, space, values);
    if (space >= 0) H5Sclose(space);
    if (t >= 0) H5Tclose(t);
    return rc;
}

int h5_attr_double(hid_t loc, const char *name, double value) {
    return scalar_attr(loc, name, H5T_NATIVE_DOUBLE, &value);
}
int h5_attr_u64(hid_t loc, const char *name, uint64_t value) {
    return scalar_attr(loc, name, H5T_NATIVE_UINT64, &value);
}
int h5_attr_int(hid_t loc, const char *name, int value) {
    return scalar_attr(loc, name, H5T_NATIVE_INT, &value);
}
