"""Commit-protocol simulation at 10 / 100 / 1,000 ranks × ~10 units (docs/distributed.md "Simulation").

    python bench/dist_sim.py [--ranks 10,100,1000] [--delay-us 0,100] [--out docs/benchmarks/dist_sim]

For each rank count N: 10·N one-row-group Parquet files of 4 rows (a static plan cuts them into N slices of
~10 files: ~10 units per rank), then build/tests/hfbatch_dist_sim (bench/dist_sim.cc) runs the protocol's
plan and commit steps through the real dist/protocol.h functions, under the LD_PRELOAD shim
build/tests/libhfbatch_fs_latency.so that sleeps HFBATCH_FS_DELAY_US before every metadata call (open, stat,
rename, unlink, mkdir, opendir) — a shared file system's round trip — and counts them. Writes a JSON and a
Markdown table."""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[1]
SIM = ROOT / "build" / "tests" / "hfbatch_dist_sim"
SHIM = ROOT / "build" / "tests" / "libhfbatch_fs_latency.so"
MODEL = ROOT / "tests" / "fixtures" / "models" / "bert-cls"
sys.path.insert(0, str(ROOT / "bench"))


def make_inputs(d, files):
    d.mkdir(parents=True)
    for i in range(files):
        pq.write_table(pa.table({"id": pa.array(range(4 * i, 4 * i + 4), pa.int64()),
                                 "text": ["a b", "c", None, "d e f"]}), d / f"f{i:06d}.parquet")


def run(ranks, delay_us, work):
    out = work / f"out-{ranks}-{delay_us}"
    env = dict(os.environ, LD_PRELOAD=str(SHIM), HFBATCH_FS_DELAY_US=str(delay_us))
    if ranks >= 1000 and delay_us > 0:
        env["HFBATCH_SIM_SKIP_OLD"] = "1"
    proc = subprocess.run([str(SIM), str(work / f"in-{ranks}"), str(out), str(ranks), str(MODEL)],
                          capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"hfbatch_dist_sim {ranks} failed:\n{proc.stderr[-3000:]}")
    for p in out.parent.glob(out.name + "*"):
        shutil.rmtree(p)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranks", default="10,100,1000")
    ap.add_argument("--delay-us", default="0,100")
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks" / "dist_sim"))
    a = ap.parse_args()
    for f in (SIM, SHIM):
        if not f.exists():
            raise SystemExit(f"{f} not built: cmake --build build --target hfbatch_dist_sim hfbatch_fs_latency")
    work = pathlib.Path(tempfile.mkdtemp(prefix="hfbatch_dist_sim_"))
    rows = []
    try:
        for n in map(int, a.ranks.split(",")):
            make_inputs(work / f"in-{n}", 10 * n)
            for d in map(int, a.delay_us.split(",")):
                r = run(n, d, work)
                r["delay_us"] = d
                rows.append(r)
                print(json.dumps(r), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    from benchlib import cpu_model, git_commit
    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": git_commit(), "cpu": cpu_model(),
            "load": os.getloadavg()[0]}
    out = pathlib.Path(a.out)
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "runs": rows}, indent=2) + "\n")

    def c(r, k):
        s = r[k]
        return "—" if s["s"] < 0 else f"{s['s']:.3f} s / {s['fs_calls']:,}"
    lines = [f"# Commit-protocol simulation — {meta['date']}", "",
             f"Commit {meta['commit']}, {meta['cpu']}, load {meta['load']:.1f}. `python bench/dist_sim.py` "
             "(bench/dist_sim.cc under tests/tools/fs_latency.c). Each cell: seconds / file-system metadata calls.",
             "", "| ranks | files | units | delay µs | rank 0 scan + column check | plan | one rank's broadcast parse "
             "| parts, all ranks | gather | commit | shard checks, all copies (new) | (old) | every rank scans: footer calls, job |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['ranks']} | {r['files']} | {r['units']} | {r['delay_us']} | {c(r, 'scan0')} | {c(r, 'plan')} | "
                     f"{c(r, 'bcast')} | {c(r, 'parts_all_ranks')} | {c(r, 'gather')} | {c(r, 'commit')} | "
                     f"{c(r, 'shard_check_all_copies_new')} | {c(r, 'shard_check_all_copies_old')} | "
                     f"{r['ranks'] * r['scan0']['fs_calls']:,} |")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
