"""Start-up of two checkouts side by side: the desktop app to its unlock window painted
(`bench_gui.py start-app`), a bare PySide6 window (`start-bare`) and `fieldapp --help`, each run in
turn from both trees so that the machine's load hits both alike.

    python benchmarks/compare_start.py BEFORE_TREE AFTER_TREE VAULT [RUNS]

(e.g. `git worktree add /tmp/before <commit>`; VAULT is any vault folder: start-up does not open it.)
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import time


def _paint(tree: str, arguments: list[str], env: dict) -> float:
    started = time.monotonic()
    output = subprocess.run([sys.executable, os.path.join(tree, "benchmarks", "bench_gui.py"), *arguments], cwd=tree,
                            env=env, check=True, capture_output=True, text=True).stdout
    return float(output.strip().splitlines()[-1]) - started


def main() -> None:
    before, after, vault = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 15
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FIELDAPP_LANG="en")
    trees = {"before": before, "after": after}
    for tree in trees.values():
        compileall.compile_dir(os.path.join(tree, "fieldapp"), quiet=1)  # as an installed app runs
    times = {name: {"app": [], "bare": [], "help": []} for name in trees}
    for _ in range(runs):
        for name, tree in trees.items():
            times[name]["app"].append(_paint(tree, ["start-app", vault], env))
            times[name]["bare"].append(_paint(tree, ["start-bare"], env))
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "fieldapp", "--help"], cwd=tree, env=env, check=True,
                           capture_output=True)
            times[name]["help"].append(time.monotonic() - started)
    median = {name: {kind: statistics.median(values) for kind, values in kinds.items()} for name, kinds in times.items()}
    for name in trees:
        m = median[name]
        print(f"{name:7s} start {m['app'] * 1000:.0f} ms, bare window {m['bare'] * 1000:.0f} ms "
              f"({m['app'] / m['bare']:.2f}×), --help {m['help'] * 1000:.0f} ms (median of {runs})")
    print(f"after / before: start {median['after']['app'] / median['before']['app']:.3f}, "
          f"--help {median['after']['help'] / median['before']['help']:.3f}")


if __name__ == "__main__":
    main()
