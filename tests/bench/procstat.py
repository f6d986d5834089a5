"""Run one process and measure it: wall time from exec to exit and peak resident memory.

The peak is the ru_maxrss that wait4 returns for that one child (KiB on Linux), so every
measured process runs on its own: a figure never mixes two processes."""
import os
import subprocess
import time


def run(cmd, cwd=None, env=None):
    """Run cmd; return (exit code, stdout, stderr, wall seconds, peak RSS in bytes)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    # communicate() would reap the child and lose its rusage: read the pipes, then wait4.
    out, err = _drain(p)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, out, err, wall, ru.ru_maxrss * 1024


def _drain(p):
    """Read stdout and stderr to their ends without reaping the child."""
    import threading
    chunks = {}

    def reader(name, f):
        chunks[name] = f.read()
        f.close()
    ts = [threading.Thread(target=reader, args=('out', p.stdout)),
          threading.Thread(target=reader, args=('err', p.stderr))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return chunks['out'], chunks['err']
