#!/usr/bin/env python3
"""`rewire new-plugin` end to end, and the SDK as an out-of-tree project sees it.

A learning rule is generated, built with meson against the in-tree SDK (pkg-config's
rewire-sdk-uninstalled.pc), loaded through `plugin_path:` by its example experiment and
run: it must be listed in summary.json and change the weights the way the rule says.
Its own `meson test` must pass.  The tutorial's code (docs/writing-a-learning-rule.md) must
be exactly the generated source.  The other three kinds are generated and built, and
`rewire plugins --plugin-path` must list each with its kind.  A plugin also builds with a
bare `cc $(pkg-config --cflags rewire-sdk)`.  Bad uses exit 2 and write nothing.

usage: test_new_plugin.py REWIRE SOURCE_ROOT BUILD_ROOT
"""
import csv
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, rewire_env, run  # noqa: E402

rewire, root, build = (os.path.abspath(a) for a in sys.argv[1:4])
t = Tap()

env = rewire_env()
env["PKG_CONFIG_PATH"] = os.path.join(build, "meson-uninstalled")
TUTORIAL_RULE = "gated_hebb"  # the name docs/writing-a-learning-rule.md uses


def meson_build(project, what):
    """meson setup + compile of a generated project; returns success."""
    builddir = os.path.join(project, "build")
    r = run(["meson", "setup", builddir, project, "--werror", f"-Drewire={rewire}"], env=env)
    if not t.check(r.returncode == 0, f"{what}: meson setup finds rewire-sdk through pkg-config",
                   r.stdout[-3000:] + r.stderr):
        return False
    r = run(["meson", "compile", "-C", builddir], env=env)
    return t.check(r.returncode == 0, f"{what}: builds warning-free (--werror)", r.stdout[-3000:] + r.stderr)


def doc_code_block(path, marker):
    """The ```c block that follows `marker` in the document."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read()
    m = re.search(re.escape(marker) + r".*?\n```c\n(.*?)```\n", text, re.S)
    return m.group(1) if m else None


with tempfile.TemporaryDirectory() as tmp:
    # ---- the SDK's pkg-config file ----
    r = run(["pkg-config", "--cflags", "rewire-sdk"], env=env)
    t.check(r.returncode == 0 and f"-I{root}/sdk/include" in r.stdout,
            "the uninstalled rewire-sdk.pc points at sdk/include", r.stdout + r.stderr)
    r = run(["pkg-config", "--variable=plugindir", "rewire-sdk"], env=env)
    t.check(r.stdout.strip() == os.path.join(build, "plugins"),
            "its plugindir is the build's plugin folder", r.stdout + r.stderr)

    # ---- a learning rule, end to end ----
    project = os.path.join(tmp, TUTORIAL_RULE)
    r = run([rewire, "new-plugin", "--kind", "learning-rule", TUTORIAL_RULE, project])
    t.check(r.returncode == 0 and f"Created learning-rule plugin '{TUTORIAL_RULE}'" in r.stdout,
            "new-plugin --kind learning-rule writes a project", r.stdout + r.stderr)
    source = os.path.join(project, f"{TUTORIAL_RULE}.c")
    with open(source) as f:
        generated = f.read()
    t.check("@NAME@" not in generated and f'"{TUTORIAL_RULE}"' in generated,
            "placeholders are replaced by the plugin's name")
    block = doc_code_block(os.path.join(root, "docs", "writing-a-learning-rule.md"),
                           f"<!-- {TUTORIAL_RULE}.c -->")
    t.check(block == generated, "the tutorial's code is exactly the generated rule",
            "the block after '<!-- gated_hebb.c -->' differs from the generated file"
            if block else "no code block after '<!-- gated_hebb.c -->'")
    t.check(len(generated.splitlines()) < 80, "the tutorial's rule is under 80 lines",
            len(generated.splitlines()))

    if meson_build(project, "learning rule"):
        # The example as a user runs it: plugin_path: [build] next to the file.
        out = os.path.join(tmp, "run")
        r = run([rewire, "run", os.path.join(project, "example.yaml"), "--out", out, "--quiet"])
        t.check(r.returncode == 0, "the example experiment runs with the plugin", r.stderr)
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
        used = [p for p in summary["plugins"] if p["name"] == TUTORIAL_RULE]
        t.check(len(used) == 1 and used[0]["kind"] == "learning-rule"
                and used[0]["path"].startswith(os.path.join(project, "build")),
                "summary.json lists the rule, loaded from the project's build folder", summary["plugins"])
        t.check(summary["projections"]["drive"]["rule"] == TUTORIAL_RULE,
                "the example's projection uses it", summary["projections"])

        # What the rule says, per cell (theta 0.2, tau 20 ms): synapses onto cells firing
        # above theta / tau = 10 Hz grow on average, those onto quieter cells shrink.  Cells
        # near 10 Hz may have crossed it during the run, so only cells clearly above
        # (> 13 Hz) or below (< 9 Hz) count; three seeds, each with cells on both sides.
        for seed in (1, 2, 3):
            out = os.path.join(tmp, f"run-{seed}")
            r = run([rewire, "run", os.path.join(project, "example.yaml"), "--out", out, "--quiet",
                     "--seed", str(seed)])
            if not t.check(r.returncode == 0, f"seed {seed}: the example runs", r.stderr):
                continue
            with open(os.path.join(out, "w.csv")) as f:
                rows = list(csv.DictReader(f))
            first = {(w["pre"], w["post"]): float(w["weight"]) for w in rows if float(w["t_ms"]) == 0}
            last = {(w["pre"], w["post"]): float(w["weight"]) for w in rows if float(w["t_ms"]) > 0}
            with open(os.path.join(out, "spikes.csv")) as f:
                counts = {}
                for row in csv.DictReader(f):
                    counts[row["neuron"]] = counts.get(row["neuron"], 0) + 1
            cells = {}
            for j in map(str, range(8)):
                dw = [last[k] - first[k] for k in last if k[1] == j]
                cells[j] = (counts.get(j, 0) / summary["simulated_time_s"], sum(dw) / len(dw) if dw else 0.0)
            t.note(f"seed {seed}: (rate Hz, mean dw pA) per cell: "
                   + ", ".join(f"{r_:.1f}/{d:+.1f}" for r_, d in cells.values()))
            fast = [d for r_, d in cells.values() if r_ > 13]
            slow = [d for r_, d in cells.values() if r_ < 9]
            t.check(fast and slow and all(d > 0 for d in fast) and all(d < 0 for d in slow),
                    f"seed {seed}: synapses onto cells above 13 Hz grew, onto cells below 9 Hz shrank",
                    cells)
            t.check(len(last) > 0 and all(0 <= w <= 800 for w in last.values()),
                    f"seed {seed}: weights stay in [0, w_max]")

        r = run(["meson", "test", "-C", os.path.join(project, "build")], env=env)
        t.check(r.returncode == 0, "the generated project's own tests pass (meson test)",
                r.stdout[-3000:] + r.stderr)

        # The same source built by hand with pkg-config, no meson.
        by_hand = os.path.join(tmp, "by-hand")
        os.makedirs(by_hand)
        cflags = run(["pkg-config", "--cflags", "rewire-sdk"], env=env).stdout.split()
        r = run(["cc", "-std=c17", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared",
                 "-fvisibility=hidden", *cflags, source, "-o", os.path.join(by_hand, "by-hand.so"),
                 "-Wl,-z,defs", "-lm"])
        t.check(r.returncode == 0, "the rule builds with cc $(pkg-config --cflags rewire-sdk)", r.stderr)
        r = run([rewire, "plugins", "--plugin-path", by_hand, TUTORIAL_RULE])
        t.check(r.returncode == 0 and "by-hand.so" in r.stdout, "rewire loads the hand-built plugin",
                r.stdout + r.stderr)

    # ---- the other kinds: generated, built, listed with their kind ----
    for kind, name in (("injury", "focal_lesion"), ("intervention", "gain_boost"),
                       ("output", "spike_counts")):
        project = os.path.join(tmp, name)
        r = run([rewire, "new-plugin", "--kind", kind, name, project])
        if not t.check(r.returncode == 0, f"new-plugin --kind {kind} writes a project", r.stderr):
            continue
        t.check(os.path.exists(os.path.join(project, "example.yaml")) == (kind == "output"),
                f"{kind}: an example experiment exactly when an experiment can use the kind today")
        if not meson_build(project, kind):
            continue
        r = run([rewire, "plugins", "--plugin-path", os.path.join(project, "build")])
        t.check(r.returncode == 0 and re.search(rf"^{kind} +{name} +0\.1\.0 ", r.stdout, re.M),
                f"rewire plugins --plugin-path lists {name} as {kind}", r.stdout + r.stderr)
        r = run(["meson", "test", "-C", os.path.join(project, "build")], env=env)
        t.check(r.returncode == 0, f"{kind}: the generated project's own tests pass",
                r.stdout[-3000:] + r.stderr)

    # ---- bad uses: exit 2, nothing written ----
    taken = os.path.join(tmp, "taken")
    os.makedirs(taken)
    with open(os.path.join(taken, "notes.txt"), "w") as f:
        f.write("mine\n")
    r = run([rewire, "new-plugin", "--kind", "output", "fresh", taken])
    t.check(r.returncode == 2 and f"{taken} already exists and is not an empty folder" in r.stderr
            and os.listdir(taken) == ["notes.txt"],
            "a non-empty DIR is refused with exit 2 and left alone", r.stderr)
    empty = os.path.join(tmp, "empty")
    os.makedirs(empty)
    r = run([rewire, "new-plugin", "--kind", "output", "fresh", empty])
    t.check(r.returncode == 0 and os.path.exists(os.path.join(empty, "fresh.c")),
            "an existing empty DIR is used", r.stderr)
    for bad in ("Hebb", "2rule", "my-rule", "a" * 64):
        r = run([rewire, "new-plugin", "--kind", "learning-rule", bad, os.path.join(tmp, "bad")])
        t.check(r.returncode == 2 and f"invalid plugin name '{bad}'" in r.stderr
                and not os.path.exists(os.path.join(tmp, "bad")),
                f"invalid name {bad[:10]!r}: exit 2", r.stderr)
    r = run([rewire, "new-plugin", "--kind", "learning-rul", "x", os.path.join(tmp, "bad")])
    t.check(r.returncode == 2 and "did you mean 'learning-rule'?" in r.stderr,
            "unknown kind: exit 2 with a did-you-mean", r.stderr)
    r = run([rewire, "new-plugin", "x"])
    t.check(r.returncode == 2 and "--kind is required" in r.stderr, "missing --kind: exit 2", r.stderr)
    r = run([rewire, "new-plugin", "--kind", "output", "csv", os.path.join(tmp, "bad")])
    t.check(r.returncode == 2 and "a plugin named 'csv' already exists" in r.stderr
            and not os.path.exists(os.path.join(tmp, "bad")),
            "the name of a plugin rewire already has: exit 2", r.stderr)
    r = run([rewire, "new-plugin", "--help"])
    t.check(r.returncode == 0 and "usage: rewire new-plugin" in r.stdout, "new-plugin --help", r.stderr)
t.done()
