"""What wiping freed memory costs (docs/RELIABILITY.md, "Secrets in memory"): the store's save and
list rows with SQLCipher's `cipher_memory_security` off, on (the app's setting), and on with
glibc's freed-memory wiping that the desktop app also turns on. Once on, memory security stays on
for the process, so each setting runs in its own fresh process, in turn, twice.

Child process: `bench_memsec.py child VAULT SETTING RUNS OFFICE` (OFFICE: a code of its own for
the survivor codes it saves) with FIELDAPP_BENCH_RECOVERY_KEY set
(prints one JSON line of timings).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

SETTINGS = ("off", "on", "on+glibc")
LABELS = {"off": "off", "on": "on", "on+glibc": "on + glibc wiping"}


def child(vault: str, setting: str, runs: int, office: str) -> None:
    import bench_store
    from fieldapp.demo import DEMO_USER
    from fieldapp.store import db, secret
    from fieldapp.store.vault import Vault
    from timing import bare_connection, raw_key

    db.MEMORY_SECURITY = setting != "off"
    if setting == "on+glibc":
        secret.wipe_freed_c_memory()
    recovery_key = os.environ["FIELDAPP_BENCH_RECOVERY_KEY"]
    session = Vault(vault).unlock_with_recovery(recovery_key, DEMO_USER)
    bare = bare_connection(Path(vault) / "fieldapp.db", raw_key(Path(vault), recovery_key))
    save = bench_store.single_save(session, bare, runs * 2, office)
    page, keys = bench_store.first_page(session, bare, runs)
    on = session.connection.execute("PRAGMA cipher_memory_security").fetchone()[0]
    bare.close()
    session.close()
    print(json.dumps({"memory_security": on, "save": save.app, "page": page.app, "keys": keys.app}))


def measure(vault: Path, recovery_key: str, runs: int, log) -> list:
    import statistics

    from timing import Row, seconds_text

    found = {setting: {"save": [], "page": [], "keys": []} for setting in SETTINGS}
    environment = dict(os.environ, FIELDAPP_BENCH_RECOVERY_KEY=recovery_key)
    for round_ in range(2):
        for number, setting in enumerate(SETTINGS):
            office = f"M{round_}{number}"
            output = subprocess.run([sys.executable, __file__, "child", str(vault), setting, str(runs), office], check=True,
                                    capture_output=True, text=True, env=environment).stdout
            figures = json.loads(output.strip().splitlines()[-1])
            if figures["memory_security"] != ("0" if setting == "off" else "1"):
                raise RuntimeError(f"cipher_memory_security was {figures['memory_security']} for {setting}")
            for name in ("save", "page", "keys"):
                found[setting][name] += figures[name]
    rows = []
    for name, operation in (("save", "Save one referral"),
                            ("page", "First page (50) of referrals, filtered and sorted"),
                            ("keys", "All 200 000 referral keys in date order")):
        medians = {setting: statistics.median(found[setting][name]) for setting in SETTINGS}
        off = medians["off"]
        figure = ", ".join(f"{LABELS[s]} {seconds_text(medians[s])}"
                           + ("" if s == "off" else f" ({(medians[s] / off - 1) * 100:+.0f} %)") for s in SETTINGS)
        log(f"    {operation}: {figure}")
        rows.append(Row(f"{operation}, memory security off / on / on with glibc wiping", figure=figure,
                        target="—", note=f"{len(found['off'][name])} runs each, in fresh processes"))
    return rows


if __name__ == "__main__":
    if sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(__doc__)
