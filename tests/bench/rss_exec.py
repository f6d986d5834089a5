#!/usr/bin/python3
"""rss_exec.py OUTFILE CMD [ARGS...]: run CMD, write its peak resident memory (KiB,
getrusage of that one process through wait4) to OUTFILE, exit with its status.

Brian2's cpp_standalone device starts the compiled simulation itself; bench.py puts this
wrapper in front of it (prefs.devices.cpp_standalone.run_cmd_unix) so that the memory of
the simulation is measured apart from python and the compiler."""
import os
import sys


def main(argv):
    out, cmd = argv[1], argv[2:]
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    with open(out, 'w') as f:
        f.write(f'{ru.ru_maxrss}\n')
    return os.waitstatus_to_exitcode(status)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
