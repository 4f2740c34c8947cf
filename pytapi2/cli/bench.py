"""``pytapi2 bench``: latency and throughput of a TAPI provider.

Method (after SIPp and wrk2; statistics with HdrHistogram):

closed loop
    ``--concurrency`` N workers (threads), each with its own agent session,
    each sending its next request when the previous reply arrived. Measures
    what N busy clients get; a stalled provider makes them send less, so the
    stall is under-counted (coordinated omission): only the stalled requests
    themselves are slow.
open loop
    requests scheduled at a fixed ``--rate`` (the i-th at t0 + i / rate),
    spread over the N workers; each request's latency is measured from its
    *intended* send time, so requests that could not even be sent while the
    provider stalled count the wait too, as they would for real clients that
    do not wait for each other. Above the provider's capacity the latency
    grows through the run (the timeline in the JSON shows it).

Latencies go into an HDR histogram (1 µs .. 60 s, 3 significant digits);
reported: p50, p90, p99, p99.9, max, mean, throughput, errors by LINEERR.
The harness's own cost (clock reads, histogram record, loop; and in open
loop how late sends leave) is measured and printed, so a result can be
compared with it.

On the simulator the bench builds its own call center (one agent and
session per worker, ``--latency`` reply latency, ``--delay-every`` K
``--delay`` D: every K-th reply D later). Against another provider
(``PYTAPI2_LIBRARY``, tapi32.dll) name logged-in agents with ``--agent``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from pytapi2 import Agent, AgentSession, Line, TapiApp
    from pytapi2.simulator import Simulator

__all__ = ["REQUESTS", "BenchConfig", "PhaseResult", "add_parser", "cmd_bench", "run_bench"]

#: Histogram range in microseconds (1 µs .. 60 s), 3 significant digits.
LOWEST_US, HIGHEST_US, DIGITS = 1, 60_000_000, 3
PERCENTILES = (50.0, 90.0, 99.0, 99.9)
BENCH_GROUP = uuid.UUID("b3e1c7a0-0000-4000-8000-62656e636821")
BENCH_PIN = "0000"
#: Open loop: sleep until this close to the send time, then yield until it.
_SPIN_NS = 200_000


@dataclass(frozen=True)
class Request:
    name: str
    function: str  # the TAPI function, for fault injection and the report
    call: Callable[[Any], object]  # takes a Worker


@dataclass
class Worker:
    line: Line
    agent: Agent
    session: AgentSession
    queue: Any = None


def _set_state(w: Worker) -> object:
    from pytapi2 import AgentSessionState

    w.session.set_state(AgentSessionState.READY, next_state=AgentSessionState.READY)
    return None


REQUESTS: dict[str, Request] = {
    "info": Request("info", "lineGetAgentSessionInfo", lambda w: w.session.info()),
    "agent-info": Request("agent-info", "lineGetAgentInfo", lambda w: w.agent.info()),
    "list": Request("list", "lineGetAgentSessionList", lambda w: w.agent.list_sessions()),
    "groups": Request("groups", "lineGetGroupListW", lambda w: w.line.groups()),
    "queue-info": Request("queue-info", "lineGetQueueInfo",
                          lambda w: w.line.queue_info(w.queue)),
    "set-state": Request("set-state", "lineSetAgentSessionState", _set_state),
}


@dataclass
class BenchConfig:
    requests: Sequence[str] = ("info",)
    modes: Sequence[str] = ("closed", "open")
    concurrency: int = 1
    rate: float = 500.0
    duration: float = 2.0
    warmup: float = 0.2
    latency: float | None = None  # seconds, simulator only
    delay_every: int = 0
    delay: float = 0.0  # seconds
    line: int = 0
    timeout: float = 10.0


@dataclass
class PhaseResult:
    request: str
    function: str
    mode: str
    concurrency: int
    target_rate: float | None
    duration: float
    requests: int
    scheduled: int | None
    errors: dict[str, int]
    percentiles_us: dict[str, float]
    max_us: float
    mean_us: float
    send_lag_us: dict[str, float] | None
    timeline: list[dict[str, float]] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.requests / self.duration if self.duration > 0 else 0.0

    def record(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "function": self.function,
            "mode": self.mode,
            "concurrency": self.concurrency,
            "target_rate": self.target_rate,
            "duration_s": round(self.duration, 6),
            "requests": self.requests,
            "scheduled": self.scheduled,
            "throughput_per_s": round(self.throughput, 3),
            "errors": self.errors,
            "latency_us": {**self.percentiles_us, "max": self.max_us,
                           "mean": round(self.mean_us, 3)},
            "send_lag_us": self.send_lag_us,
            "timeline": self.timeline,
        }


def _histogram() -> Any:
    from hdrh.histogram import HdrHistogram

    return HdrHistogram(LOWEST_US, HIGHEST_US, DIGITS)


def _record(hist: Any, ns: int) -> None:
    hist.record_value(min(max(ns // 1000, LOWEST_US), HIGHEST_US))


def _percentiles(hist: Any) -> dict[str, float]:
    return {f"p{p:g}": float(hist.get_value_at_percentile(p)) for p in PERCENTILES}


@dataclass
class _Shared:
    """What the workers of one phase share (under ``lock`` where written)."""

    request: Request
    sim: Simulator | None
    delay_every: int
    delay_ms: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count[int] = field(default_factory=itertools.count)
    errors: Counter[str] = field(default_factory=Counter)
    sent: int = 0

    def before_send(self) -> None:
        """Every ``delay_every``-th request: its reply comes ``delay`` later."""
        if self.sim is None or not self.delay_every:
            return
        with self.lock:
            self.sent += 1
            due = self.sent % self.delay_every == 0
        if due:
            from pytapi2.simulator import Fault

            self.sim.inject_fault(self.request.function, Fault.DELAY_REPLY, count=1,
                                  param=self.delay_ms)

    def call(self, worker: Worker) -> bool:
        from pytapi2 import TapiError, TapiTimeoutError

        try:
            self.request.call(worker)
        except TapiTimeoutError:
            with self.lock:
                self.errors["timeout"] += 1
            return False
        except TapiError as exc:
            with self.lock:
                self.errors[exc.name or f"LINEERR {exc.code}"] += 1
            return False
        return True


def _closed(shared: _Shared, worker: Worker, end_ns: int, hist: Any) -> int:
    count = 0
    clock = time.perf_counter_ns
    while True:
        start = clock()
        if start >= end_ns:
            return count
        shared.before_send()
        ok = shared.call(worker)
        if ok:
            _record(hist, clock() - start)
        count += 1


def _open(shared: _Shared, worker: Worker, t0_ns: int, end_ns: int, interval_ns: float,
          hist: Any, lag: Any, samples: list[tuple[int, int]]) -> int:
    count = 0
    clock = time.perf_counter_ns
    while True:
        i = next(shared.counter)
        intended = t0_ns + int(i * interval_ns)
        if intended >= end_ns:
            return count
        now = clock()
        if now >= end_ns:
            return count  # could not keep up: the rest was never sent
        if intended > now:
            if intended - now > _SPIN_NS:
                time.sleep((intended - now - _SPIN_NS) / 1e9)
            while clock() < intended:
                time.sleep(0)
        sent = clock()
        _record(lag, sent - intended)
        shared.before_send()
        ok = shared.call(worker)
        done = clock()
        if ok:
            _record(hist, done - intended)
            samples.append((intended - t0_ns, done - intended))
        count += 1


def _timeline(samples: Sequence[tuple[int, int]], duration_ns: int,
              parts: int = 10) -> list[dict[str, float]]:
    """Latency by tenth of the run (by intended send time): flat when the
    provider keeps up, growing when the rate is above its capacity."""
    buckets: list[list[int]] = [[] for _ in range(parts)]
    for offset, latency in samples:
        index = min(parts - 1, max(0, offset * parts // max(duration_ns, 1)))
        buckets[index].append(latency)
    out = []
    for index, bucket in enumerate(buckets):
        bucket.sort()
        out.append({
            "from_s": round(index * duration_ns / parts / 1e9, 6),
            "requests": len(bucket),
            "p50_us": bucket[len(bucket) // 2] / 1000 if bucket else math.nan,
            "max_us": bucket[-1] / 1000 if bucket else math.nan,
        })
    return out


def run_phase(workers: Sequence[Worker], request: Request, mode: str, config: BenchConfig,
              sim: Simulator | None,
              progress: Callable[[float], None] | None = None) -> PhaseResult:
    """One measured run of one request type in one mode."""
    shared = _Shared(request, sim, config.delay_every, round(config.delay * 1000))
    duration_ns = int(config.duration * 1e9)
    hists = [_histogram() for _ in workers]
    lags = [_histogram() for _ in workers]
    samples: list[list[tuple[int, int]]] = [[] for _ in workers]
    counts = [0] * len(workers)
    interval_ns = 1e9 / config.rate
    t0 = time.perf_counter_ns() + 5_000_000  # every thread started before the first send
    end = t0 + duration_ns

    def work(index: int) -> None:
        if mode == "closed":
            while time.perf_counter_ns() < t0:
                time.sleep(0.0005)
            counts[index] = _closed(shared, workers[index], end, hists[index])
        else:
            counts[index] = _open(shared, workers[index], t0, end, interval_ns, hists[index],
                                  lags[index], samples[index])

    threads = [threading.Thread(target=work, args=(i,), daemon=True)
               for i in range(len(workers))]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        threads[0].join(0.1)
        if progress is not None:
            progress(min(1.0, max(0.0, (time.perf_counter_ns() - t0) / duration_ns)))
    for thread in threads:
        thread.join()
    elapsed = max(time.perf_counter_ns(), end) - t0 if mode == "open" else duration_ns
    hist = _histogram()
    for h in hists:
        hist.add(h)
    lag = None
    if mode == "open":
        lag_hist = _histogram()
        for h in lags:
            lag_hist.add(h)
        lag = {**_percentiles(lag_hist), "max": float(lag_hist.get_max_value())}
    total = sum(counts)
    empty = hist.get_total_count() == 0
    return PhaseResult(
        request=request.name, function=request.function, mode=mode,
        concurrency=len(workers), target_rate=config.rate if mode == "open" else None,
        duration=(elapsed if mode == "closed" else duration_ns) / 1e9, requests=total,
        scheduled=int(config.duration * config.rate) if mode == "open" else None,
        errors=dict(shared.errors),
        percentiles_us={k: (math.nan if empty else v) for k, v in _percentiles(hist).items()},
        max_us=math.nan if empty else float(hist.get_max_value()),
        mean_us=math.nan if empty else float(hist.get_mean_value()),
        send_lag_us=lag,
        timeline=_timeline([s for part in samples for s in part], duration_ns)
        if mode == "open" else [],
    )


def measure_overhead(rounds: int = 20_000) -> dict[str, float]:
    """The harness's cost per request without a request: the closed loop's
    two clock reads, its histogram record and the loop itself (median of 5)."""
    hist = _histogram()
    clock = time.perf_counter_ns
    costs = []
    for _ in range(5):
        begin = clock()
        for _ in range(rounds):
            start = clock()
            _record(hist, clock() - start)
        costs.append((clock() - begin) / rounds)
    costs.sort()
    resolution = time.get_clock_info("perf_counter").resolution
    return {"per_request_us": round(costs[2] / 1000, 4),
            "clock_resolution_ns": round(resolution * 1e9, 3)}


# -- setting up the call center ------------------------------------------------------


def setup_simulator(sim: Simulator, config: BenchConfig) -> None:
    """A quiet call center with one agent per worker (before the app opens)."""
    from pytapi2.simulator.scenario import Scenario

    scenario = Scenario.of(
        groups={"Bench": BENCH_GROUP},
        agents={f"bench{i:04d}": BENCH_PIN for i in range(config.concurrency)},
        start=datetime(2026, 1, 5, 9, 0), queues={"Bench": [(900, "Bench queue")]},
        name="bench",
    )
    sim.load(scenario)
    sim.set_reply_latency(config.latency or 0.0)


def make_workers(line: Line, config: BenchConfig, sim: Simulator | None,
                 agents: Sequence[tuple[str, str | None]], group: uuid.UUID | None,
                 timeout: float) -> list[Worker]:
    from pytapi2 import AgentSessionState

    workers: list[Worker] = []
    if sim is not None and not agents:
        for i in range(config.concurrency):
            agent = line.create_agent(f"bench{i:04d}", pin=BENCH_PIN, timeout=timeout)
            session = agent.create_session(group=BENCH_GROUP, address_id=0, pin=BENCH_PIN,
                                           timeout=timeout)
            session.set_state(AgentSessionState.READY, AgentSessionState.READY,
                              timeout=timeout)
            workers.append(Worker(line, agent, session))
    else:
        from pytapi2.cli import CliError

        sessions: list[tuple[Agent, AgentSession]] = []
        for agent_id, pin in agents:
            agent = line.create_agent(agent_id, pin=pin, timeout=timeout)
            found = agent.list_sessions(timeout=timeout)
            if not found and group is not None:
                found = [agent.create_session(group=group, address_id=0, pin=pin,
                                              timeout=timeout)]
            if not found:
                raise CliError(f"--agent {agent_id}: no agent sessions on line {config.line}; "
                               "log the agent in first, or pass --group GUID to create one")
            sessions.extend((agent, s) for s in found)
        for i in range(config.concurrency):
            agent, session = sessions[i % len(sessions)]
            workers.append(Worker(line, agent, session))
    if any(REQUESTS[r].name == "queue-info" for r in config.requests):
        queue = None
        for g in line.groups(timeout=timeout):
            queues = line.queues(g, timeout=timeout)
            if queues:
                queue = queues[0]
                break
        if queue is None:
            from pytapi2.cli import CliError

            raise CliError("--request queue-info: the provider lists no queues")
        for w in workers:
            w.queue = queue
    return workers


# -- the command -------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 1024:
        raise argparse.ArgumentTypeError(f"expected an integer in 1..1024, got {text!r}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= 1e6:
        raise argparse.ArgumentTypeError(f"expected requests per second in (0, 1e6], got {text!r}")
    return value


def _seconds(low: float, high: float, *, zero: bool = False) -> Callable[[str], float]:
    def parse(text: str) -> float:
        from pytapi2.simulator.scenario import parse_duration

        unit = 1.0
        body = text.strip().lower()
        if body.endswith("ms"):
            body, unit = body[:-2], 1e-3
        elif body.endswith("us") or body.endswith("µs"):
            body, unit = body[:-2], 1e-6
        try:
            value = parse_duration(body).total_seconds() * unit
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a duration like 2s, 500ms or 250us, got {text!r}") from None
        if not (low <= value <= high) or (value == 0 and not zero):
            raise argparse.ArgumentTypeError(
                f"expected a duration in {'[' if zero else '('}{low:g}s, {high:g}s], "
                f"got {text!r}")
        return value

    return parse


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    from pytapi2.cli import _agent_arg, _line_arg

    p = sub.add_parser(
        "bench", parents=[common], help="latency and throughput of a TAPI provider",
        description="Benchmark a TAPI provider: per request type, a closed loop "
        "(--concurrency workers, each waiting for its reply) and an open loop (a fixed "
        "--rate, latency measured from the intended send time, so a stalled provider "
        "cannot hide behind coordinated omission). Percentiles from an HDR histogram, "
        "throughput, errors by LINEERR, the harness's own overhead.",
    )
    p.add_argument("--request", action="append", choices=sorted(REQUESTS), metavar="TYPE",
                   help=f"request type (repeatable; default: info): {', '.join(REQUESTS)}")
    p.add_argument("--mode", choices=("closed", "open", "both"), default="both",
                   help="closed loop, open loop, or both (default)")
    p.add_argument("--concurrency", type=_positive_int, default=1, metavar="N",
                   help="workers (threads), each with its own session (default: 1)")
    p.add_argument("--rate", type=_rate, default=500.0, metavar="R",
                   help="open loop: requests per second over all workers (default: 500)")
    p.add_argument("--duration", type=_seconds(0.0, 3600.0), default=2.0, metavar="DURATION",
                   help="measured time per phase (default: 2s)")
    p.add_argument("--warmup", type=_seconds(0.0, 60.0, zero=True), default=0.2,
                   metavar="DURATION", help="unmeasured closed-loop run first (default: 0.2s)")
    p.add_argument("--latency", type=_seconds(0.0, 4000.0, zero=True), metavar="DURATION",
                   help="simulator only: its reply latency, e.g. 1ms (default: 0)")
    p.add_argument("--delay-every", type=_positive_int, default=0, metavar="K",
                   help="simulator only: every K-th reply comes --delay later")
    p.add_argument("--delay", type=_seconds(0.0, 60.0), default=0.05, metavar="DURATION",
                   help="with --delay-every: the extra delay (default: 50ms)")
    p.add_argument("--line", type=_line_arg, default=0, metavar="N",
                   help="line device (default: 0)")
    p.add_argument("--agent", type=_agent_arg, action="append", default=[], metavar="ID[:PIN]",
                   help="a logged-in agent whose sessions to use (needed off the simulator)")
    p.add_argument("--group", type=uuid.UUID, metavar="GUID",
                   help="create a session in this ACD group for an --agent without one")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--plot", metavar="FILE",
                   help="write a latency-by-percentile plot (needs the 'bench' extra: "
                   "matplotlib)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def run_bench(config: BenchConfig, *, app: TapiApp, line: Line, sim: Simulator | None,
              agents: Sequence[tuple[str, str | None]] = (), group: uuid.UUID | None = None,
              progress: Callable[[str, float], None] | None = None) -> list[PhaseResult]:
    workers = make_workers(line, config, sim, agents, group, config.timeout)
    results = []
    for name in config.requests:
        request = REQUESTS[name]
        if config.warmup > 0:
            warm = BenchConfig(**{**config.__dict__, "duration": config.warmup,
                                  "delay_every": 0})
            run_phase(workers, request, "closed", warm, sim)
        for mode in config.modes:
            label = f"{name} {mode}"

            def report(fraction: float, label: str = label) -> None:
                if progress is not None:
                    progress(label, fraction)

            results.append(run_phase(workers, request, mode, config, sim, report))
    return results


def _fmt_us(value: float) -> str:
    if math.isnan(value):
        return "-"
    if value >= 1_000_000:
        return f"{value / 1e6:.2f} s"
    if value >= 1000:
        return f"{value / 1000:.3f} ms"
    return f"{value:.0f} µs"


def render_table(results: Sequence[PhaseResult], overhead: dict[str, float]) -> Any:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for header in ("REQUEST", "MODE", "N", "RATE", "REQS", "REQ/S", "P50", "P90", "P99",
                   "P99.9", "MAX", "ERRORS"):
        table.add_column(header, justify="left" if header in ("REQUEST", "MODE", "ERRORS")
                         else "right", no_wrap=True)
    for r in results:
        p = r.percentiles_us
        errors = ", ".join(f"{k} {v}" for k, v in sorted(r.errors.items())) or "0"
        table.add_row(r.request, r.mode, str(r.concurrency),
                      "-" if r.target_rate is None else f"{r.target_rate:g}/s",
                      str(r.requests), f"{r.throughput:,.0f}", _fmt_us(p["p50"]),
                      _fmt_us(p["p90"]), _fmt_us(p["p99"]), _fmt_us(p["p99.9"]),
                      _fmt_us(r.max_us), errors)
    notes = [Text(f"harness overhead: {overhead['per_request_us']:.2f} µs per request "
                  f"(clock reads, histogram, loop; clock resolution "
                  f"{overhead['clock_resolution_ns']:g} ns)")]
    for r in results:
        if r.send_lag_us is not None:
            notes.append(Text(
                f"{r.request} open loop: sends left p50 {_fmt_us(r.send_lag_us['p50'])} / "
                f"p99 {_fmt_us(r.send_lag_us['p99'])} after their intended time "
                f"(included in its latencies); sent {r.requests} of {r.scheduled} scheduled"))
    return Group(table, *notes)


def plot(results: Sequence[PhaseResult], path: str, samples: dict[str, Any]) -> None:
    try:
        import matplotlib  # type: ignore[import-not-found, unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        from pytapi2.cli import CliError

        raise CliError("--plot needs matplotlib: pip install 'pytapi2[bench]'") from None
    fig, ax = plt.subplots(figsize=(8, 5))
    for r in results:
        xs = [50.0, 90.0, 99.0, 99.9]
        ys = [r.percentiles_us[f"p{x:g}"] / 1000 for x in xs]
        ax.plot([1 / (1 - x / 100) for x in xs], ys, marker="o", label=f"{r.request} {r.mode}")
    ax.set_xscale("log")
    ax.set_xticks([2, 10, 100, 1000], ["p50", "p90", "p99", "p99.9"])
    ax.set_ylabel("latency (ms)")
    ax.set_title("pytapi2 bench: latency by percentile")
    ax.legend()
    fig.savefig(path)
    plt.close(fig)


def tight_timers() -> bool:
    """Linux: timer slack of 1 ns for this thread and the threads it starts
    from now on (the workers, and the simulator's timer thread, created on
    first use). The default 50 µs slack would be added to every sleep and
    timed wait, i.e. to the provider's replies and the open loop's sends.
    Returns whether it was set."""
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(29, 1, 0, 0, 0) == 0)  # PR_SET_TIMERSLACK
    except (OSError, AttributeError):
        return False


def _no_nan(value: Any) -> Any:
    """JSON has no NaN: a percentile of no replies is null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_nan(v) for v in value]
    return value


def cmd_bench(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import pytapi2
    from pytapi2.cli import CliError, _check_line, _simulator

    if args.plot:
        try:
            import matplotlib  # type: ignore[import-not-found, unused-ignore]  # noqa: F401
        except ImportError:
            raise CliError("--plot needs matplotlib: pip install 'pytapi2[bench]'") from None
    slack = tight_timers()
    sim = _simulator()
    if sim is None and (args.latency is not None or args.delay_every):
        raise CliError("--latency and --delay-every need the simulator backend "
                       f"(loaded: {pytapi2.backend().path})", 2)
    if sim is None and not args.agent:
        raise CliError("name logged-in agents with --agent ID[:PIN] (TAPI has no way to "
                       "list agents)", 2)
    config = BenchConfig(
        requests=tuple(args.request or ["info"]),
        modes=("closed", "open") if args.mode == "both" else (args.mode,),
        concurrency=args.concurrency, rate=args.rate, duration=args.duration,
        warmup=args.warmup, latency=args.latency, delay_every=args.delay_every,
        delay=args.delay, line=args.line,
    )
    if sim is not None and not args.agent:
        setup_simulator(sim, config)
    overhead = measure_overhead()
    overhead["timer_slack_1ns"] = slack
    show_progress = not args.no_progress and err.isatty()
    with pytapi2.TapiApp(app_name="pytapi2-bench", timeout=config.timeout) as app:
        _check_line(app, args.line)
        with app.open_line(args.line) as line:
            agents = [(a.id, a.pin) for a in args.agent]
            if show_progress:
                from rich.console import Console
                from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

                with Progress(TextColumn("{task.description}"), BarColumn(),
                              TimeRemainingColumn(), console=Console(file=err),
                              transient=True) as bar:
                    tasks: dict[str, Any] = {}

                    def progress(label: str, fraction: float) -> None:
                        if label not in tasks:
                            tasks[label] = bar.add_task(label, total=1.0)
                        bar.update(tasks[label], completed=fraction)

                    results = run_bench(config, app=app, line=line, sim=sim, agents=agents,
                                        group=args.group, progress=progress)
            else:
                results = run_bench(config, app=app, line=line, sim=sim, agents=agents,
                                    group=args.group)
    if sim is not None:
        sim.set_reply_latency(0)
    backend = pytapi2.backend()
    if args.plot:
        plot(results, args.plot, {})
    if args.json:
        document = {
            "backend": backend.kind,
            "library": backend.path,
            "time": datetime.now().isoformat(timespec="seconds"),
            "config": {
                "requests": list(config.requests), "modes": list(config.modes),
                "concurrency": config.concurrency, "rate": config.rate,
                "duration_s": config.duration, "warmup_s": config.warmup,
                "latency_s": config.latency, "delay_every": config.delay_every,
                "delay_s": config.delay if config.delay_every else None,
            },
            "overhead": overhead,
            "results": [r.record() for r in results],
        }
        out.write(json.dumps(_no_nan(document), indent=2, allow_nan=False) + "\n")
        return 0
    from rich.console import Console

    from pytapi2.cli.view import plain_text_of

    title = (f"pytapi2 bench — {backend.kind} ({backend.path})"
             + (f", reply latency {_fmt_us((config.latency or 0) * 1e6)}" if sim else "")
             + (f", every {config.delay_every}th reply +{_fmt_us(config.delay * 1e6)}"
                if config.delay_every else ""))
    if out.isatty():
        console = Console(file=out)
        console.print(title, style="bold")
        console.print(render_table(results, overhead))
    else:
        out.write(title + "\n" + plain_text_of(render_table(results, overhead)))
    out.flush()
    return 0
