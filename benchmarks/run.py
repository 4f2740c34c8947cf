"""The pytapi2 benchmark suite: ``python -m benchmarks [--quick]`` from the repository root.

Prints a table, writes JSON (``benchmarks/results/``) and, when matplotlib is
installed, a PNG of the cost per session against N. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import operator
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytapi2
from benchmarks import machine
from benchmarks.harness import Block, Sample, calibrate, interleave, loop_block, paired_ratio
from benchmarks.peer_ctypes import CtypesPeer
from benchmarks.peer_ctypes_tuned import TunedCtypesPeer

HERE = Path(__file__).resolve().parent
INCLUDE = HERE.parent / "include"
RESULTS = HERE / "results"
GROUP = UUID("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
PIN = "4321"
LATENCIES = (0.0, 0.001)
#: Every LINEAGENTSESSIONINFO field as a Python value (AgentSessionInfo and the peer alike).
read_all_fields = operator.attrgetter(
    "state", "next_state", "start_time", "duration", "number_of_calls", "total_talk_time",
    "average_talk_time", "total_call_time", "average_call_time", "total_wrapup_time",
    "average_wrapup_time", "acd_call_rate", "longest_time_to_answer", "average_time_to_answer")


@dataclass(frozen=True)
class Config:
    mode: str
    sizes: tuple[int, ...]
    #: Rounds of the interleaved comparisons (refresh; session list; pipelined cells).
    rounds: int
    #: Target duration of one timed block (loops are calibrated to it).
    block_s: float
    #: Time budget of one latency's pipelined/sequential comparison (rounds are cut to fit).
    pipeline_budget_s: float
    min_rounds: int
    c_iterations: int
    memory_refreshes: int
    import_runs: int


FULL = Config("full", (1, 10, 100, 1_000, 10_000), rounds=15, block_s=0.05,
              pipeline_budget_s=25.0, min_rounds=3, c_iterations=200_000,
              memory_refreshes=1_000_000, import_runs=20)
QUICK = Config("quick", (1, 10, 100), rounds=3, block_s=0.003, pipeline_budget_s=0.5,
               min_rounds=2, c_iterations=5_000, memory_refreshes=20_000, import_runs=3)

# Targets of the issue: (key, description, comparison, threshold).
Target = tuple[str, str, str, float]


# ---------------------------------------------------------------------------
# Setup


@dataclass
class Bench:
    app: pytapi2.TapiApp
    line: pytapi2.Line
    sim: Any
    session: pytapi2.AgentSession
    #: N -> an agent with exactly N sessions, and those sessions.
    agents: dict[int, tuple[pytapi2.Agent, list[pytapi2.AgentSession]]]


def setup(config: Config) -> Bench:
    from pytapi2.simulator import Simulator

    sim = Simulator()
    sim.reset()
    sim.use_virtual_clock()
    sim.set_reply_latency(0)
    sim.add_group(GROUP, "Sales")
    sim.add_agent("1001", PIN)
    for n in config.sizes:
        sim.add_agent(f"n{n}", PIN)
    app = pytapi2.TapiApp(app_name="benchmarks", timeout=120.0)
    line = app.open_line(0)
    session = line.create_agent("1001", pin=PIN).create_session(group=GROUP)
    agents = {}
    for n in config.sizes:
        agent = line.create_agent(f"n{n}", pin=PIN)
        agents[n] = (agent, [agent.create_session(group=GROUP) for _ in range(n)])
    return Bench(app, line, sim, session, agents)


# ---------------------------------------------------------------------------
# 1. refresh one session: pytapi2, the ctypes peer, the C loop


def build_c_loop(cc: str, workdir: Path) -> Path:
    exe = workdir / "c_loop"
    cmd = [cc, "-O2", "-std=c11", "-I", str(INCLUDE), str(HERE / "c_loop.c"), "-o", str(exe),
           "-ldl"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"compiling the C loop failed ({' '.join(cmd)}):\n{result.stderr}")
    return exe


def c_block(exe: Path, library: str) -> Block:
    def block(loops: int) -> float:
        out = subprocess.run([str(exe), library, str(loops), "1"], capture_output=True,
                             text=True, check=True, timeout=600)
        return float(json.loads(out.stdout)["ns_per_op"][0]) * 1e-9

    return block


def give_history(sim: Any, sessions: Sequence[int]) -> None:
    """Non-zero statistics (two answered calls, an hour logged in) so that every
    field, the CURRENCY rate and the next state decode from real values."""
    from pytapi2 import AgentSessionState

    for _ in range(2):
        for handle in sessions:
            sim.set_session_state(handle, AgentSessionState.READY, AgentSessionState.READY)
            sim.offer_call(handle, wait=4, talk=95, wrapup=20)
        sim.advance(300)
    sim.advance(3000)


def bench_refresh(bench: Bench, config: Config, c_exe: Path) -> dict[str, Any]:
    library = pytapi2.backend().path
    peer = CtypesPeer(library)
    tuned = TunedCtypesPeer(library)
    info = bench.session.info
    try:
        peer_session = peer.create_session("1001", PIN, GROUP)
        tuned_session = tuned.create_session("1001", PIN, GROUP)
        give_history(bench.sim, [bench.session.handle, peer_session, tuned_session])
        theirs, ours = peer.refresh(peer_session), info()
        assert ours.number_of_calls == 2 and ours.acd_call_rate > 0, ours
        assert read_all_fields(theirs) == read_all_fields(ours), (theirs, ours)
        raw = tuned.refresh(tuned_session)
        assert raw[4] == ours.number_of_calls and raw[3] == ours.duration.total_seconds(), raw
        tuned_refresh = tuned.refresh
        blocks = {
            # info() as an application calls it (the snapshot is built whole).
            "pytapi2": loop_block(info),
            # ...and with every field read, as the plain peer's contender does.
            "pytapi2_fields": loop_block(lambda: read_all_fields(info())),
            "ctypes_tuned": loop_block(lambda: tuned_refresh(tuned_session)),
            "ctypes_peer": loop_block(lambda: read_all_fields(peer.refresh(peer_session))),
            "c_loop": c_block(c_exe, library),
        }
        loops = {name: calibrate(block, config.block_s) for name, block in blocks.items()
                 if name != "c_loop"}
        loops["c_loop"] = config.c_iterations
        samples = interleave(blocks, config.rounds, loops)
    finally:
        peer.close()
        tuned.close()
    return {
        "samples": samples,
        "ratios": {
            # throughput(pytapi2) / throughput(peer) = time(peer) / time(pytapi2)
            "pytapi2_vs_tuned_throughput": paired_ratio(samples["ctypes_tuned"],
                                                        samples["pytapi2"]),
            "pytapi2_vs_c_time": paired_ratio(samples["pytapi2"], samples["c_loop"]),
            "pytapi2_fields_vs_c_time": paired_ratio(samples["pytapi2_fields"],
                                                     samples["c_loop"]),
            "pytapi2_vs_ctypes_throughput": paired_ratio(samples["ctypes_peer"],
                                                         samples["pytapi2_fields"]),
        },
    }


# ---------------------------------------------------------------------------
# 1b. many threads refreshing at once

THREADS = 8


def threads_ab(baseline: Path, rounds: int) -> dict[str, Any]:
    """This checkout against ``baseline``, 8 threads each, fresh interpreters
    alternated (benchmarks/threads_ab.py): the ratio of aggregate rates."""
    from benchmarks.threads_ab import HERE as THIS
    from benchmarks.threads_ab import run as run_threads

    pairs = []
    for r in range(rounds):
        order = [("this", THIS), ("baseline", baseline)][:: 1 if r % 2 else -1]
        pair = {name: run_threads(path, THREADS, 1.0) for name, path in order}
        pairs.append(pair)
    ratios = Sample([p["this"] / p["baseline"] for p in pairs])
    q1, q3 = ratios.quartiles
    return {"pairs": pairs, "median": ratios.median, "q1": q1, "q3": q3}


def bench_threads(bench: Bench, config: Config) -> dict[str, Any]:
    """8 threads, each refreshing its own session at 0 ms latency; the
    aggregate time per refresh (wall time / all refreshes) per round."""
    sessions = bench.agents[10][1][:THREADS]
    loops = max(200, int(config.block_s * 4 / max(bench_one(bench.session), 1e-7) / THREADS))
    values = []
    for _ in range(config.rounds):
        barrier = threading.Barrier(THREADS + 1)

        def worker(session: pytapi2.AgentSession, barrier: threading.Barrier) -> None:
            info = session.info
            barrier.wait()
            for _ in range(loops):
                info()
            barrier.wait()

        threads = [threading.Thread(target=worker, args=(s, barrier)) for s in sessions]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        barrier.wait()
        elapsed = time.perf_counter() - start
        for t in threads:
            t.join()
        values.append(elapsed / (loops * THREADS))
    sample = Sample(values, loops=loops * THREADS)
    return {"sample": sample, "threads": THREADS}


def bench_one(session: pytapi2.AgentSession) -> float:
    start = time.perf_counter()
    for _ in range(200):
        session.info()
    return (time.perf_counter() - start) / 200


# ---------------------------------------------------------------------------
# 2. pipelined refresh of N sessions against N sequential refreshes


def bench_pipelined(bench: Bench, config: Config) -> dict[str, Any]:
    line = bench.line
    results: dict[str, Any] = {}
    try:
        for latency in LATENCIES:
            bench.sim.set_reply_latency(latency)
            blocks: dict[str, Block] = {}
            for n in config.sizes:
                sessions = bench.agents[n][1]
                blocks[f"pipelined/{n}"] = loop_block(lambda s=sessions: line.session_infos(s))
                blocks[f"sequential/{n}"] = loop_block(
                    lambda s=sessions: [session.info() for session in s])
            loops = {name: calibrate(block, config.block_s) for name, block in blocks.items()}
            # Rounds: as many as fit the budget, within [min_rounds, rounds].
            round_s = sum(_block_estimate(blocks, loops, name) for name in blocks)
            rounds = max(config.min_rounds,
                         min(config.rounds, int(config.pipeline_budget_s / max(round_s, 1e-9))))
            samples = interleave(blocks, rounds, loops)
            results[f"{latency * 1000:g}ms"] = samples
    finally:
        bench.sim.set_reply_latency(0)
    return results


def _block_estimate(blocks: dict[str, Block], loops: dict[str, int], name: str) -> float:
    # One extra block gives the round-time estimate (it doubles as a second warm-up).
    return blocks[name](loops[name]) * loops[name]


# ---------------------------------------------------------------------------
# 3. the session list of an agent with N sessions


def bench_session_list(bench: Bench, config: Config) -> dict[str, Sample]:
    blocks: dict[str, Block] = {}
    for n in config.sizes:
        agent = bench.agents[n][0]
        assert len(agent.sessions) == n
        blocks[str(n)] = loop_block(lambda a=agent: a.sessions)
    loops = {name: calibrate(block, config.block_s) for name, block in blocks.items()}
    return interleave(blocks, config.rounds, loops)


# ---------------------------------------------------------------------------
# 4. memory: RSS before and after many refreshes


def bench_memory(bench: Bench, config: Config) -> dict[str, Any]:
    info = bench.session.info
    for _ in range(10_000):  # warm-up: allocator pools, caches, size hints
        info()
    gc.collect()
    before = machine.rss_bytes()
    total = config.memory_refreshes
    step = max(1, total // 10)
    samples = []
    done = 0
    start = time.perf_counter()
    while done < total:
        chunk = min(step, total - done)
        for _ in range(chunk):
            info()
        done += chunk
        samples.append({"refreshes": done, "rss_bytes": machine.rss_bytes()})
    elapsed = time.perf_counter() - start
    gc.collect()
    after = machine.rss_bytes()
    return {"refreshes": total, "rss_before_bytes": before, "rss_after_bytes": after,
            "rss_growth_bytes": after - before, "seconds": elapsed,
            "seconds_per_refresh": elapsed / total, "samples": samples}


# ---------------------------------------------------------------------------
# 5. import time


def _python_env() -> dict[str, str]:
    """The environment of a child that imports the very pytapi2 this run measures."""
    env = dict(os.environ)
    env.pop("PYTAPI2_LIBRARY", None)
    package_root = str(Path(pytapi2.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _run_python(code: str, env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, check=True)
    return time.perf_counter() - start


def bench_import(config: Config) -> dict[str, Any]:
    env = _python_env()
    with tempfile.TemporaryDirectory() as cwd:  # no stray ./pytapi2 on sys.path
        _run_python("import pytapi2", env, cwd)  # warm the OS file cache and .pyc files
        _run_python("pass", env, cwd)
        bare: list[float] = []
        full: list[float] = []
        for i in range(config.import_runs):
            pair = [("pass", bare), ("import pytapi2", full)]
            for code, into in pair if i % 2 == 0 else reversed(pair):
                into.append(_run_python(code, env, cwd))
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import pytapi2"],
                             env=env, cwd=cwd, capture_output=True, text=True, check=True)
    modules = []
    for row in out.stderr.splitlines():
        if not row.startswith("import time:") or "self [us]" in row:
            continue
        self_us, cumulative_us, name = (part.strip() for part in row[12:].split("|"))
        modules.append({"module": name.strip(), "self_us": int(self_us),
                        "cumulative_us": int(cumulative_us)})
    top = [m for m in modules if m["module"] == "pytapi2"]
    return {
        "python_pass": Sample(bare),
        "python_import_pytapi2": Sample(full),
        "import_s": statistics.median(f - b for f, b in zip(full, bare, strict=True)),
        "importtime_cumulative_us": top[0]["cumulative_us"] if top else None,
        "importtime_top_self": sorted(modules, key=lambda m: -m["self_us"])[:12],
    }


# ---------------------------------------------------------------------------
# Report


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.0f} ns"


def iqr(sample: Sample, scale: float = 1.0) -> str:
    q1, q3 = sample.quartiles
    return f"[{fmt_time(q1 / scale)} - {fmt_time(q3 / scale)}]"


def collect(config: Config, refresh: dict[str, Any], threads: dict[str, Any],
            pipelined: dict[str, Any], session_list: dict[str, Sample], memory: dict[str, Any],
            imports: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The flat ``benchmarks`` mapping of the JSON, and the target verdicts."""
    out: dict[str, Any] = {}
    for name, sample in refresh["samples"].items():
        out[f"refresh/{name}"] = {**sample.as_json(), "ops_per_s": 1 / sample.median}
    thread_sample = threads["sample"]
    out[f"threads/{threads['threads']}"] = {
        **thread_sample.as_json(), "ops_per_s": 1 / thread_sample.median,
        "vs_baseline": threads.get("ab")}
    for latency, samples in pipelined.items():
        for n in config.sizes:
            pipe, seq = samples[f"pipelined/{n}"], samples[f"sequential/{n}"]
            out[f"pipelined/{latency}/N={n}"] = {
                **pipe.as_json(), "n": n, "per_session_s": pipe.median / n}
            out[f"sequential/{latency}/N={n}"] = {
                **seq.as_json(), "n": n, "per_session_s": seq.median / n}
            out[f"speedup/{latency}/N={n}"] = paired_ratio(seq, pipe)
    for n_text, sample in session_list.items():
        n = int(n_text)
        out[f"session_list/N={n}"] = {**sample.as_json(), "n": n,
                                      "per_session_s": sample.median / n}
    out["memory"] = memory
    out["import"] = {
        "import_s": imports["import_s"],
        "python_pass": imports["python_pass"].as_json(),
        "python_import_pytapi2": imports["python_import_pytapi2"].as_json(),
        "importtime_cumulative_us": imports["importtime_cumulative_us"],
        "importtime_top_self": imports["importtime_top_self"],
    }

    ratios = refresh["ratios"]
    largest, middle = max(config.sizes), (100 if 100 in config.sizes else config.sizes[-1])
    probe = 1000 if 1000 in config.sizes else max(config.sizes)
    c_per_op = refresh["samples"]["c_loop"].median
    targets = [
        ("info() throughput ≥ 1.5x the hand-tuned ctypes peer",
         ratios["pytapi2_vs_tuned_throughput"]["median"], ">=", 1.5, "x"),
        ("info() ≤ 2.5x the C loop's time per op",
         ratios["pytapi2_vs_c_time"]["median"], "<=", 2.5, "x"),
        ("info() with all 14 fields read ≤ 4x the C loop's time",
         ratios["pytapi2_fields_vs_c_time"]["median"], "<=", 4.0, "x"),
        (f"session_infos N={probe} at 0 ms: per session ≤ 1.0x the sequential C loop",
         out[f"pipelined/0ms/N={probe}"]["per_session_s"] / c_per_op, "<=", 1.0, "x"),

        (f"pipelined N={probe} at 1 ms ≥ 50x faster than {probe} sequential refreshes",
         out[f"speedup/1ms/N={probe}"]["median"], ">=", 50.0, "x"),
    ]
    for latency in pipelined:
        flat = (out[f"pipelined/{latency}/N={largest}"]["per_session_s"]
                / out[f"pipelined/{latency}/N={middle}"]["per_session_s"])
        targets.append((f"cost per session flat N={middle}→{largest}, pipelined at {latency} "
                        "(≤ 1.5x)", flat, "<=", 1.5, "x"))
    if threads.get("ab") is not None:
        targets.append((f"{threads['threads']} threads at 0 ms: aggregate ≥ 3x the baseline's "
                        "(A/B, --baseline)", threads["ab"]["median"], ">=", 3.0, "x"))
    growth_mb = memory["rss_growth_bytes"] / 1e6
    targets.append((f"RSS growth < 5 MB over {memory['refreshes']:,} refreshes", growth_mb,
                    "<", 5.0, "MB"))
    targets.append(("import pytapi2 < 60 ms", imports["import_s"] * 1e3, "<", 60.0, "ms"))
    verdicts = []
    for text, value, op, threshold, unit in targets:
        met = {">=": value >= threshold, "<=": value <= threshold, "<": value < threshold}[op]
        verdicts.append({"target": text, "value": value, "op": op, "threshold": threshold,
                         "unit": unit, "met": bool(met)})
    return out, verdicts


def print_table(config: Config, facts: dict[str, Any], results: dict[str, Any],
                verdicts: list[dict[str, Any]], refresh: dict[str, Any]) -> None:
    w = print
    w(f"\npytapi2 benchmarks ({config.mode}) — {facts['python_implementation']} "
      f"{facts['python']}, cffi {facts['cffi']}, {facts['platform']}")
    w(f"CPU: {facts['cpu']} ({facts['cpus_usable']} usable of {facts['cpu_count']}), "
      f"load {facts['load_average_start']} → {facts.get('load_average_end')}; "
      f"C: {facts['cc']}")
    w("Times: median over interleaved rounds [IQR]; ratios: median of per-round ratios.\n")

    w("1. Refresh one session (request + LINE_REPLY + all LINEAGENTSESSIONINFO fields)")
    w(f"   {'':34}{'per op':>12}  {'IQR':<24}{'ops/s':>12}")
    labels = {"pytapi2": "pytapi2 session.info()",
              "pytapi2_fields": "pytapi2 info(), all 14 fields read",
              "ctypes_tuned": "hand-tuned ctypes (raw tuple)",
              "ctypes_peer": "ctypes peer (typed, all fields)",
              "c_loop": "C loop (gcc -O2, same .so)"}
    for name, label in labels.items():
        r = results[f"refresh/{name}"]
        sample = refresh["samples"][name]
        w(f"   {label:34}{fmt_time(r['median_s']):>12}  {iqr(sample):<24}"
          f"{r['ops_per_s']:>12,.0f}")
    ratios = refresh["ratios"]
    for key, text in (("pytapi2_vs_tuned_throughput", "info() throughput / hand-tuned ctypes"),
                      ("pytapi2_vs_ctypes_throughput", "all fields: throughput / ctypes peer"),
                      ("pytapi2_vs_c_time", "info() time / C loop time"),
                      ("pytapi2_fields_vs_c_time", "all fields: time / C loop time")):
        t = ratios[key]
        w(f"   {text:40} = {t['median']:.2f}x [{t['q1']:.2f}-{t['q3']:.2f}]")
    r = results[f"threads/{THREADS}"]
    w(f"\n1b. {THREADS} threads refreshing their own sessions at once (0 ms latency)")
    w(f"   aggregate {fmt_time(r['median_s'])} per refresh, {r['ops_per_s']:,.0f} refreshes/s")
    ab = r.get("vs_baseline")
    if ab:
        rates = ", ".join(f"{p['this']:,.0f}/s vs {p['baseline']:,.0f}/s" for p in ab["pairs"])
        w(f"   A/B against --baseline (fresh interpreters): {ab['median']:.2f}x "
          f"[{ab['q1']:.2f}-{ab['q3']:.2f}] ({rates})")
    w("")

    w("2. Refresh N sessions: line.session_infos(sessions) vs N x session.info()")
    w(f"   {'latency':>8}{'N':>8}{'pipelined':>14}{'per session':>14}"
      f"{'sequential':>14}{'per session':>14}{'speed-up':>10}")
    for latency in (f"{x * 1000:g}ms" for x in LATENCIES):
        for n in config.sizes:
            p = results[f"pipelined/{latency}/N={n}"]
            s = results[f"sequential/{latency}/N={n}"]
            up = results[f"speedup/{latency}/N={n}"]["median"]
            w(f"   {latency:>8}{n:>8,}{fmt_time(p['median_s']):>14}"
              f"{fmt_time(p['per_session_s']):>14}{fmt_time(s['median_s']):>14}"
              f"{fmt_time(s['per_session_s']):>14}{up:>9.1f}x")
    w("")

    w("3. Session list of an agent with N sessions (agent.sessions)")
    w(f"   {'N':>8}{'per call':>14}{'per session':>14}")
    for n in config.sizes:
        r = results[f"session_list/N={n}"]
        w(f"   {n:>8,}{fmt_time(r['median_s']):>14}{fmt_time(r['per_session_s']):>14}")
    w("")

    m = results["memory"]
    w(f"4. Memory: RSS {m['rss_before_bytes'] / 1e6:.1f} MB → {m['rss_after_bytes'] / 1e6:.1f} MB "
      f"over {m['refreshes']:,} refreshes: growth {m['rss_growth_bytes'] / 1e6:+.2f} MB "
      f"({fmt_time(m['seconds_per_refresh'])} per refresh)")
    imp = results["import"]
    w(f"5. import pytapi2: {imp['import_s'] * 1e3:.1f} ms (fresh interpreter minus "
      f"`python -c pass`, median of {config.import_runs}); -X importtime cumulative "
      f"{(imp['importtime_cumulative_us'] or 0) / 1e3:.1f} ms\n")

    w("Targets")
    for v in verdicts:
        mark = "MET   " if v["met"] else "MISSED"
        unit = v["unit"] if v["unit"] == "x" else " " + v["unit"]
        w(f"   [{mark}] {v['target']}: {v['value']:.2f}{unit}")


def plot(config: Config, results: dict[str, Any], path: Path) -> str | None:
    """The cost-per-session plot; returns why it was skipped, or None."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ("matplotlib is not installed: no plot (pip install matplotlib, or the "
                "'bench' extra: pip install -e '.[bench]')")
    sizes = list(config.sizes)
    fig, ax = plt.subplots(figsize=(10, 5))
    series: list[tuple[str, Callable[[int], str], str]] = [
        ("pipelined, 0 ms latency", lambda n: f"pipelined/0ms/N={n}", "o-"),
        ("sequential, 0 ms latency", lambda n: f"sequential/0ms/N={n}", "o--"),
        ("pipelined, 1 ms latency", lambda n: f"pipelined/1ms/N={n}", "s-"),
        ("sequential, 1 ms latency", lambda n: f"sequential/1ms/N={n}", "s--"),
        ("agent.sessions (list)", lambda n: f"session_list/N={n}", "^-"),
    ]
    for label, key, style in series:
        ax.plot(sizes, [results[key(n)]["per_session_s"] * 1e6 for n in sizes], style,
                label=label)
    ax.axhline(results["refresh/pytapi2"]["median_s"] * 1e6, color="grey", linestyle=":",
               label="one session.info()")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("N (sessions)")
    ax.set_ylabel("cost per session (µs)")
    ax.set_title(f"pytapi2: cost per session against N ({config.mode} run)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


# ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="CI smoke run: small N, few rounds (checks that all runs)")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the JSON (default benchmarks/results/<mode>.json)")
    parser.add_argument("--plot", type=Path, default=None,
                        help="where to write the PNG (default benchmarks/results/<mode>.png)")
    parser.add_argument("--no-plot", action="store_true", help="skip the plot")
    parser.add_argument("--cc", default=os.environ.get("CC", "gcc"),
                        help="C compiler for the C loop (default $CC or gcc)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a built checkout of the reference (the Python engine, commit "
                             "277b3f9): the 8-thread target is then measured A/B against it")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = QUICK if args.quick else FULL
    json_path: Path = args.json or RESULTS / f"{config.mode}.json"
    png_path: Path = args.plot or RESULTS / f"{config.mode}.png"
    if shutil.which(args.cc) is None:
        print(f"benchmarks: C compiler {args.cc!r} not found (set --cc or $CC)",
              file=sys.stderr)
        return 2
    started = time.perf_counter()
    facts = machine.facts(args.cc)
    step = _progress(started)
    with tempfile.TemporaryDirectory(prefix="pytapi2-bench-") as work:
        step("compiling the C loop")
        c_exe = build_c_loop(args.cc, Path(work))
        step("setting up the simulator")
        bench = setup(config)
        try:
            step("1. refresh one session")
            refresh = bench_refresh(bench, config, c_exe)
            step("1b. 8 threads")
            threads = bench_threads(bench, config)
            if args.baseline is not None:
                threads["ab"] = threads_ab(args.baseline, max(3, config.rounds // 3))
            step("2. pipelined refresh of N sessions")
            pipelined = bench_pipelined(bench, config)
            step("3. session list")
            session_list = bench_session_list(bench, config)
            step("4. memory")
            memory = bench_memory(bench, config)
        finally:
            bench.app.close()
    step("5. import time")
    imports = bench_import(config)
    facts["load_average_end"] = machine.load_average()
    facts["duration_s"] = round(time.perf_counter() - started, 1)
    results, verdicts = collect(config, refresh, threads, pipelined, session_list, memory,
                                imports)
    print_table(config, facts, results, verdicts, refresh)

    plot_note = None if args.no_plot else plot(config, results, png_path)
    if args.no_plot:
        plot_note = "--no-plot"
    document = {
        "schema": 1,
        "mode": config.mode,
        "config": asdict(config),
        "machine": facts,
        "benchmarks": results,
        "targets": verdicts,
        "plot": None if plot_note else str(png_path),
        "plot_skipped": plot_note,
    }
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(document, indent=2, default=_json_default) + "\n")
    print(f"\nJSON: {json_path}")
    print(f"plot: {png_path}" if plot_note is None else f"plot: skipped ({plot_note})")
    return 0


def _json_default(value: Any) -> Any:
    if isinstance(value, Sample):
        return value.as_json()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _progress(started: float) -> Callable[[str], None]:
    def step(text: str) -> None:
        sys.stdout.flush()
        print(f"[{time.perf_counter() - started:6.1f} s] {text}", file=sys.stderr, flush=True)

    return step


if __name__ == "__main__":
    sys.exit(main())
