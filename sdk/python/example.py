#!/usr/bin/env python3
"""Watch a rewire run live: population rate from a spike channel, printed per second.

    rewire run experiments/EXP.yaml --stream 127.0.0.1:0 &      # prints the address
    python3 sdk/python/example.py runs/NAME-SEED                  # or tcp:127.0.0.1:PORT
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rewire_stream  # noqa: E402


def main(addr):
    with rewire_stream.connect(addr, mode="lossy") as s:
        spikes = [c for c in s.channels.values() if c["kind"] == "spikes"]
        if not spikes:
            print("this run records no spikes")
            return 1
        ch = spikes[0]
        print(f"{s.header['experiment']}: watching {ch['name']} ({ch['source_size']} neurons)")
        count, window_end = 0, 1000.0
        for m in s:
            if m["type"] == "data" and m["channel"] == ch["id"]:
                for t in m["columns"]["t_ms"]:
                    while t >= window_end:
                        print(f"  t = {window_end / 1000:6.1f} s  rate = {count / ch['source_size']:7.2f} Hz")
                        count, window_end = 0, window_end + 1000.0
                    count += 1
            elif m["type"] in ("phase", "injury", "intervention_begin", "intervention_end"):
                print(f"  [{m['type']}] {m.get('name') or m.get('label')} at t = {m.get('t', m.get('t_start'))} ms")
            elif m["type"] == "end":
                print(f"done: {m['simulated_time'] / 1000:g} s simulated, {s.dropped} records dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
