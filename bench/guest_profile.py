#!/usr/bin/env python3
"""Sums a perf profile of translated code by guest function.

    VIREO_JIT_PERFMAP=1 perf record -o perf.data build/vireo exec --no-seccomp prog.elf
    bench/guest_profile.py prog.elf perf.data [N]

perf names each translated block guest_<pc> (VIREO_JIT_PERFMAP); this gives each block's samples
to the function of prog.elf whose symbol is the closest at or below <pc> (riscv64-linux-gnu-nm),
and prints the N (default 25) busiest functions with their share of all samples.
"""
import bisect
import re
import subprocess
import sys


def run(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        sys.exit("guest_profile.py: %s is not installed" % argv[0])
    except subprocess.CalledProcessError as error:
        message = error.stderr.strip().splitlines()
        sys.exit("guest_profile.py: %s failed: %s" % (" ".join(argv), message[-1] if message else error.returncode))


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    elf, data = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) == 4 else 25
    symbols = []
    for line in run(["riscv64-linux-gnu-nm", "-n", elf]).splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in "tTwW":
            symbols.append((int(fields[0], 16), fields[2]))
    starts = [address for address, _ in symbols]
    shares = {}
    for line in run(["perf", "report", "-i", data, "--stdio", "--sort", "sym"]).splitlines():
        match = re.match(r"\s+([\d.]+)%\s+\[\.\]\s+guest_([0-9a-f]+)", line)
        if not match:
            continue
        at = bisect.bisect_right(starts, int(match.group(2), 16)) - 1
        name = symbols[at][1] if at >= 0 else "?"
        shares[name] = shares.get(name, 0.0) + float(match.group(1))
    print("%6.2f%% in translated code" % sum(shares.values()))
    for name, share in sorted(shares.items(), key=lambda item: -item[1])[:count]:
        print("%6.2f%%  %s" % (share, name))


if __name__ == "__main__":
    main()
