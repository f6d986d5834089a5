#!/usr/bin/env python3
"""Plugin loading errors as a user meets them: broken shared objects reached through an
experiment's plugin_path and through $REWIRE_PLUGIN_PATH, each refused with exit status 2
and a message naming the file and what to do; a plugin built for a newer minor ABI loads.

usage: test_plugin_errors.py REWIRE SOURCE_ROOT BROKEN_PLUGIN_DIR
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, rewire_env, run  # noqa: E402

rewire, root, broken = (os.path.abspath(a) for a in sys.argv[1:4])
t = Tap()

EXPERIMENT = """experiment: {{name: p, plugin_path: [{folder}]}}
populations:
  inp: {{model: poisson, size: 5, rate: 5 Hz}}
  cells: {{model: lif_cuba, size: 5}}
projections:
  ff: {{from: inp, to: cells, connect: {{rule: all_to_all}}, weight: 10 pA{plasticity}}}
timeline: [{{phase: run, duration: 10 ms}}]
outputs:
  - {{plugin: {output}}}
"""


def folder_with(tmp, name, *modules):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    for m in modules:
        shutil.copy(os.path.join(broken, m + ".so"), d)
    return d


def experiment(tmp, folder, output="summary", plasticity=""):
    path = os.path.join(tmp, f"exp-{os.path.basename(folder)}.yaml")
    with open(path, "w") as f:
        f.write(EXPERIMENT.format(folder=os.path.basename(folder), output=output, plasticity=plasticity))
    return path


with tempfile.TemporaryDirectory() as tmp:
    d = folder_with(tmp, "noentry", "broken-no-entry")
    r = run([rewire, "validate", experiment(tmp, d)])
    so = os.path.join(d, "broken-no-entry.so")
    t.check(r.returncode == 2 and f"{so}: error: not a rewire plugin: no 'rewire_plugin_entry' symbol" in r.stderr,
            "a shared object without the entry symbol: exit 2 naming the file", r.stderr)
    t.check("exp-noentry.yaml:1:" in r.stderr and "note:" in r.stderr,
            "the error says which plugin_path line brought the folder in", r.stderr)

    d = folder_with(tmp, "abi2", "broken-abi2-table")
    r = run([rewire, "validate", experiment(tmp, d)])
    t.check(r.returncode == 2 and "ABI 2.0, this rewire speaks ABI 1." in r.stderr and ": rebuild it against this SDK" in r.stderr
            and "broken-abi2-table.so" in r.stderr, "an ABI major mismatch: exit 2, rebuild advice", r.stderr)

    d = folder_with(tmp, "twins", "broken-twin-a", "broken-twin-b")
    r = run([rewire, "validate", experiment(tmp, d)])
    t.check(r.returncode == 2 and "duplicate plugin name 'twin'" in r.stderr and "broken-twin-a.so" in r.stderr
            and "broken-twin-b.so" in r.stderr, "two plugins with one name: exit 2 naming both files", r.stderr)

    d = folder_with(tmp, "failing", "broken-create-fails")
    exp = experiment(tmp, d, output="failing_output")
    r = run([rewire, "validate", exp])
    t.check(r.returncode == 0, "validate does not create plugin instances", r.stderr)
    r = run([rewire, "run", exp, "--out", os.path.join(tmp, "out-failing"), "--quiet"])
    t.check(r.returncode == 2 and "exp-failing.yaml:9:14: error: creating output 'failing_output' failed: "
            "cannot reach the recorder at 127.0.0.1:9: connection refused" in r.stderr,
            "create() failing: exit 2 with the plugin's own message at the experiment's line", r.stderr)

    d = folder_with(tmp, "newer", "newer-minor")
    exp = experiment(tmp, d, plasticity=", plasticity: {rule: newer_rule}")
    r = run([rewire, "run", exp, "--out", os.path.join(tmp, "out-newer"), "--quiet"])
    t.check(r.returncode == 0, "a plugin built for a newer minor ABI loads and runs", r.stderr)

    env = rewire_env()
    env["REWIRE_PLUGIN_PATH"] = folder_with(tmp, "envpath", "broken-abi2-descriptor")
    r = run([rewire, "plugins"], env=env)
    t.check(r.returncode == 2 and "broken-abi2-descriptor.so" in r.stderr and "rebuild it" in r.stderr,
            "a broken plugin in $REWIRE_PLUGIN_PATH: exit 2 naming it", r.stderr)
    env["REWIRE_PLUGIN_PATH"] = folder_with(tmp, "envok", "newer-minor")
    r = run([rewire, "plugins", "newer_rule"], env=env)
    t.check(r.returncode == 0 and "newer_rule" in r.stdout and "newer-minor.so" in r.stdout,
            "$REWIRE_PLUGIN_PATH folders are searched", r.stdout + r.stderr)
t.done()
