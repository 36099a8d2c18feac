"""Shared pieces of the bench/ scripts: one system per process with the same thread settings, its wall time
and peak RSS, and the machine / commit / load record every result file carries. Standard library only, so
both venvs can import it."""
import json
import os
import pathlib
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def thread_env(threads, **extra):
    """Environment that pins every threading runtime (OpenMP, MKL, OpenBLAS, tokenizers) to `threads`."""
    n = str(threads)
    env = dict(os.environ, OMP_NUM_THREADS=n, MKL_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n, RAYON_NUM_THREADS=n,
               TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env.update(extra)
    return env


def run_timed(cmd, env=None, check=True):
    """Runs cmd under /usr/bin/time; returns {wall_s, peak_rss_mb, rc, stdout, stderr}. Wall time is the whole
    process (interpreter start, imports, model load, work, exit), as a user experiences it."""
    with tempfile.NamedTemporaryFile(suffix=".rss", delete=False) as f:
        rss_file = f.name
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-o", rss_file, "-f", "%M", *map(str, cmd)], capture_output=True,
                          text=True, env=env)
    wall = time.perf_counter() - t0
    rss_text = pathlib.Path(rss_file).read_text().strip().splitlines()
    os.unlink(rss_file)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    rss_kb = next((int(l) for l in reversed(rss_text) if l.strip().isdigit()), 0)
    return {"wall_s": wall, "peak_rss_mb": rss_kb / 1024, "rc": proc.returncode, "stdout": proc.stdout,
            "stderr": proc.stderr}


def last_json_line(text):
    """The last line of a process's stdout that is a JSON object (peers print their report there)."""
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"no JSON report in output: {text[-500:]}")


def git_commit():
    def git(*a):
        return subprocess.run(["git", "-C", str(ROOT), *a], capture_output=True, text=True).stdout.strip()
    dirty = "+uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return git("rev-parse", "--short", "HEAD") + dirty


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "?"


def load_average():
    return [round(x, 2) for x in os.getloadavg()]


def machine(threads):
    """What a result file records about where and when it was measured."""
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": git_commit(), "cpu": cpu_model(),
            "cores": os.cpu_count(), "threads": threads, "load_average": load_average()}
