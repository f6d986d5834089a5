"""numpy.load reads what the npy output writes (TAP).

usage: check_npy_numpy.py TEST_OUTPUTS CSV.so NPY.so SUMMARY.so

Runs TEST_OUTPUTS with --keep into a temporary folder, then loads every CHANNEL.npy with
numpy, checks the field names and types of its channel kind, compares every row with the
formulas test_outputs.c fed in, and the row count with the csv output's CHANNEL.csv.
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy
except ImportError:
    print("1..0 # SKIP numpy is not installed for %s" % sys.executable)
    sys.exit(0)

FIELDS = {
    "cells_spikes": [("t_ms", "<f8"), ("neuron", "<u4")],
    "cells_rate": [("t_ms", "<f8"), ("rate_hz", "<f8")],
    "cells_v": [("t_ms", "<f8"), ("neuron", "<u4"), ("value", "<f8")],
    "ee_weights": [("t_ms", "<f8"), ("pre", "<u4"), ("post", "<u4"), ("weight", "<f8")],
    "score": [("t_ms", "<f8"), ("index", "<u4"), ("value", "<f8")],
}

n = 0
failed = 0


def check(ok, what):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
    if not ok:
        failed += 1


def expected(field, k):
    """The formulas of test_outputs.c (row_time, row_index, row_index2, row_value)."""
    if field == "t_ms":
        return k * 0.25
    if field in ("neuron", "pre", "index"):
        return (k * 7) % 1000
    if field == "post":
        return (k * 3) % 50
    return (k.astype(numpy.float64) - 10.0) / 3.0


def main():
    test_outputs, plugins = sys.argv[1], sys.argv[2:5]
    with tempfile.TemporaryDirectory(prefix="rewire-npy-") as out:
        run = subprocess.run([test_outputs, *plugins, "--keep", out], capture_output=True, text=True)
        check(run.returncode == 0, "test_outputs --keep ran")
        if run.returncode != 0:
            for line in run.stdout.splitlines():
                print("# " + line)
        for channel, fields in FIELDS.items():
            path = os.path.join(out, channel + ".npy")
            try:
                a = numpy.load(path)
            except Exception as e:  # any failure to load is the finding
                check(False, "numpy.load(%s): %s" % (channel, e))
                continue
            check(a.ndim == 1 and a.dtype == numpy.dtype(fields),
                  "%s.npy: 1-D array of %s (got %s)" % (channel, fields, a.dtype.descr))
            with open(os.path.join(out, channel + ".csv")) as f:
                csv_rows = sum(1 for _ in f) - 1
            check(len(a) == csv_rows and len(a) > 0,
                  "%s.npy: %d rows, as many as %s.csv" % (channel, len(a), channel))
            k = numpy.arange(len(a), dtype=numpy.int64)
            same = all(numpy.array_equal(a[name], expected(name, k)) for name, _ in fields)
            check(same, "%s.npy: every row holds what was written" % channel)
            # A run killed while appending a batch leaves rows past the header's count,
            # possibly a partial one: numpy reads the rows the header counts.
            with open(path, "ab") as f:
                f.write(bytes(a.dtype.itemsize // 2))
            cut = numpy.load(path)
            check(numpy.array_equal(cut, a), "%s.npy: a half-written row after the counted ones is ignored" % channel)
    print("1..%d" % n)
    return 1 if failed else 0


sys.exit(main())
