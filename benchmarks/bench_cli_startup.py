"""Process wall time of ``pyamplify --help`` vs ``python -c "import pycognito"``.

The AWS CLI starts ``pyamplify`` every time it wants credentials, so start-up is a feature.
Each command runs once or twice to warm the OS caches and write ``.pyc`` files, then runs
alternate (so machine load hits all alike) and the medians are compared.

    python benchmarks/bench_cli_startup.py [--runs 15]

Target (issue 4): pyamplify --help <= 0.5x import pycognito.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable
PYAMPLIFY = str(Path(sys.executable).with_name("pyamplify"))
COMMANDS = {
    "python -c pass (interpreter floor)": [PYTHON, "-c", "pass"],
    "pyamplify --help": [PYAMPLIFY, "--help"],
    'python -c "import pycognito"': [PYTHON, "-c", "import pycognito"],
}


def wall_ms(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    for command in COMMANDS.values():
        for _ in range(args.warmup):
            wall_ms(command)
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            samples[name].append(wall_ms(command))
    peer = statistics.median(samples['python -c "import pycognito"'])
    print(f"Process wall time, {args.runs} runs each after {args.warmup} warm-up runs")
    print(f"{'command':<38} {'median ms':>10} {'min':>7} {'max':>7} {'vs pycognito':>13}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(
            f"{name:<38} {median:>10.1f} {min(values):>7.1f} {max(values):>7.1f} "
            f"{median / peer:>12.3f}x"
        )
    ratio = statistics.median(samples["pyamplify --help"]) / peer
    print(
        f"ratio pyamplify --help / import pycognito = {ratio:.3f} (target <= 0.5): "
        f"{'PASS' if ratio <= 0.5 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
