"""out/bench/report.md and its charts, from the benchmarks' JSON (nothing typed in by hand).

Every figure is printed as median (min-max, n=...); every target from issue 17's "Done means"
(and issue 4's older ones, and issue 21's start-up ones) sits beside its measured value with
PASS/FAIL. A benchmark that FAILED or HUNG shows up in the status table and its section says
what is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .stats import fmt

Runs = dict[str, dict[str, Any]]  # bench name -> runner result ({"status", "data", ...})


def _data(runs: Runs, name: str) -> dict[str, Any] | None:
    run = runs.get(name)
    return run["data"] if run else None


def _ok(flag: bool) -> str:
    return "PASS" if flag else "FAIL"


def targets(runs: Runs) -> list[tuple[str, str, str, bool]]:
    """(what, target, measured, met) for every target whose benchmark produced figures."""
    out: list[tuple[str, str, str, bool]] = []
    imports = _data(runs, "imports")
    if imports:
        for row in imports["rows"]:
            limit = 1.05 if row["objects"] == 0 else 1.10
            ratio = row["ratio_of_medians"]
            out.append((f"Import, {row['model']} model, {row['objects']:,}-object scene: ours / "
                        "bare glTF (ratio of medians)", f"<= {limit:.2f}x",
                        f"{ratio:.3f}x (pairs {fmt(row['pair_ratios'], 2)})", ratio <= limit))
    startup = _data(runs, "startup")
    if startup:
        ms = startup["enable_ms"]["meshy"]
        out.append(("Add-on enable time", "<= 30 ms", fmt(ms, 1, "ms"), ms["median"] <= 30))
        cpu = startup["timer"]["idle_runtime"]["cpu_pct"]
        out.append(("Idle timer CPU (runtime built, no jobs)", "< 0.01 %", f"{cpu:.5f} %",
                    cpu < 0.01))
        draw = startup.get("first_draw")
        if draw:  # figures from before the first draw was measured have none
            key = draw["key"]
            out.append(("First sidebar draw with a key (issue 21; recording layout, its checks "
                        "included)", "<= 20 ms", fmt(key["ms"], 1, "ms"),
                        key["ms"]["median"] <= 20))
            network = sorted({m for row in draw.values() for m in row["network"]})
            out.append(("requests / ssl in Blender's process after the first draw (issue 21)",
                        "none", ", ".join(network) or "none", not network))
        scan = startup["scan_ms"]
        out.append((f"Start-up timer, {startup['journal_jobs']:,} old finished jobs in the "
                    "journal", "<= 10 ms", fmt(scan, 1, "ms"), scan["median"] <= 10))
    jobs = _data(runs, "jobs")
    if jobs:
        mt = jobs["main_thread"]
        out.append((f"2 ms main-thread task p99 during {mt['jobs']} x {mt['download_mb_each']} MB "
                    "downloads / idle p99", "<= 1.5x",
                    f"{mt['p99_ratio']:.2f}x ({mt['busy_p99_ms']:.2f} vs "
                    f"{mt['idle_p99_ms']:.2f} ms)", mt["p99_ratio"] <= 1.5))
        batch = jobs["batch"]
        out.append(("Batch wall time vs ideal (issue 4)", "within 10 %",
                    f"{batch['overhead_pct']:+.1f} % (n=1)", batch["overhead_pct"] <= 10))
    batch_run = _data(runs, "batch")
    if batch_run:
        for limit, s in sorted(batch_run["summary"].items(), key=lambda kv: int(kv[0])):
            out.append((f"Batch of 40 rows, queue limit {limit}: wall / (ceil(40/limit) x task "
                        "time + the rows' bare glTF import)", "<= 1.10x",
                        f"{s['floor_ratio_median']:.2f}x ({s['floor_ratio_min']:.2f}-"
                        f"{s['floor_ratio_max']:.2f}, n={s['n']}); vs ideal alone "
                        f"{s['ratio_median']:.2f}x;{_request_floor(s)} "
                        f"{s['full_queue_answers_median']:g} "
                        "full-queue answers",
                        s["floor_ratio_median"] <= 1.10 and s["all_done"]))
    client = _data(runs, "client")
    if client:
        dl = client["download"]
        r = dl["ratio_vs_curl_file"]
        out.append(("Download speed: ours / curl to a file (paired, rotated)", ">= 0.85x",
                    fmt(r, 2), r["median"] >= 0.85))
        sse = client["wait"][0]["detection_ms"]
        out.append(("SSE completion detection, max of all tasks (issue 4)", "< 250 ms",
                    f"{sse['max']:.0f} ms (n={sse['n']})", sse["max"] < 250))
    return out


def _status(runs: Runs) -> list[str]:
    lines = ["| benchmark | status | seconds |", "| --- | --- | --- |"]
    for name, run in runs.items():
        lines.append(f"| `bench.{name}` | {run['status']}"
                     + (f" (timeout {run['timeout']:.0f} s)" if run["status"] == "HUNG" else "")
                     + f" | {run['seconds']:.0f} |")
    problems = [p for run in runs.values() for p in (run["data"] or {}).get("problems", [])]
    return lines + [""] + [f"- {run['name']}: {p}" for run in runs.values()
                           for p in (run["data"] or {}).get("problems", [])] * bool(problems)


def _missing(runs: Runs, name: str) -> list[str]:
    run = runs.get(name)
    status = run["status"] if run else "NOT RUN"
    return [f"**Not measured: `bench.{name}` {status}.**", ""]


def _start(runs: Runs, name: str, title: str) -> tuple[list[str], dict[str, Any] | None]:
    """A section's heading, and its benchmark's figures (or a "not measured" line)."""
    lines = [f"## {title} (`bench.{name}`)", ""]
    data = _data(runs, name)
    return (lines, data) if data else ([*lines, *_missing(runs, name)], None)


def section_imports(runs: Runs) -> list[str]:
    lines, data = _start(runs, "imports", "Import: ours vs Blender's bare glTF importer")
    if data is None:
        return lines
    lines += [f"`importer.import_model` vs `bpy.ops.import_scene.gltf` on the same file, in a "
              f"fresh scene per run (empty, or 5,000 objects read back from a .blend), "
              f"{data['runs']} pairs in alternating order after one warm-up each. \"Our own "
              "code\" is the time our call spends outside the glTF operator. Leaves out the "
              "download, the pump and viewport drawing (background mode).", "",
              "| model | scene objects | ours s | bare s | ours/bare (medians) | per-pair "
              "ratios | our own code ms |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in data["rows"]:
        lines.append(f"| {r['model']} ({r['triangles']:,} tris, {r['file_mb']} MB) | "
                     f"{r['objects']:,} | {fmt(r['ours_s'], 3)} | {fmt(r['bare_s'], 3)} | "
                     f"{r['ratio_of_medians']:.3f}x | {fmt(r['pair_ratios'], 2)} | "
                     f"{fmt(r['own_ms'], 1)} |")
    return [*lines, "", "![import times](import_times.png)", ""]


def section_stall(runs: Runs) -> list[str]:
    lines, data = _start(runs, "stall",
                         "Main-thread stall per job, and task done -> model in scene")
    if data is None:
        return lines
    lines += ["A real job against the emulator (whose GLB is the benchmark model), driven by "
              "the headless driver `pump.run_until_done`. Main thread per job = every pump "
              "tick's time from submit to imported (draining events + the import); beside it, "
              "alternating, Blender's bare glTF import of the same file in the same fresh scene. "
              "Task done -> in scene = the import's return minus the task's `finished_at` (SSE "
              "notice, download, checks, the driver's 20 ms poll, the import). Leaves out "
              "viewport drawing and the UI timer's cadence.", "",
              "| model | scene objects | job main thread ms | bare import ms | job/bare "
              "(medians) | longest tick ms | task done -> in scene ms |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in data["rows"]:
        lines.append(f"| {r['model']} | {r['objects']:,} | {fmt(r['job_main_thread_ms'], 0)} | "
                     f"{fmt(r['bare_import_ms'], 0)} | {r['ratio_of_medians']:.3f}x | "
                     f"{fmt(r['longest_tick_ms'], 0)} | {fmt(r['task_done_to_scene_ms'], 0)} |")
    return [*lines, ""]


def section_client(runs: Runs) -> list[str]:
    lines, data = _start(runs, "client", "Waiting for tasks and downloading")
    if data is None:
        return lines
    sse, poll = data["wait"]
    dl = data["download"]
    lines += [f"The same {sse['tasks']} tasks waited for with SSE, then with polling. Detection "
              "= client noticed - task's `finished_at`: for SSE mostly the emulator's frame "
              "cadence, for polling the interval. The client's own share = from reading the "
              "final SSE frame's bytes to `wait_for_task` returning.", "",
              "| mode | requests per task | detection ms | client's own share ms |",
              "| --- | --- | --- | --- |",
              f"| SSE | {sse['requests_per_task']} | {fmt(sse['detection_ms'], 0)} | "
              f"{fmt(sse['client_share_ms'], 2)} |",
              f"| polling | {poll['requests_per_task']} | {fmt(poll['detection_ms'], 0)} | - |",
              "", f"A {dl['size_mb']:.0f} MB GLB from the emulator's asset host, {dl['rounds']} "
              "rounds in rotated order: `download_asset` (temp file, checks, rename) vs curl "
              "writing the same URL to a file and to /dev/null (curl's own `time_total`, its "
              "process start left out).", "",
              "| path | MB/s |", "| --- | --- |"]
    for name, label in (("ours", "`MeshyClient.download_asset`"),
                        ("curl_file", "curl to a file"), ("curl_null", "curl to /dev/null")):
        lines.append(f"| {label} | {fmt(dl['mb_s'][name], 0)} |")
    lines += ["", f"Per-round ratios: ours / curl-to-file {fmt(dl['ratio_vs_curl_file'], 2)}; "
              f"ours / curl-to-null {fmt(dl['ratio_vs_curl_null'], 2)}. Peak RSS growth while "
              f"downloading: {fmt(dl['peak_rss_growth_mb'], 1, 'MB')}.", ""]
    return lines


def section_jobs(runs: Runs) -> list[str]:
    lines, data = _start(runs, "jobs", "Main thread during downloads, batch throughput")
    if data is None:
        return lines
    mt, b = data["main_thread"], data["batch"]
    lines += [
        f"A pure-Python task calibrated to {mt['task_ms']:g} ms runs every 10 ms beside the "
        f"pump tick, idle and then while {mt['jobs']} jobs download {mt['download_mb_each']} MB "
        "each at loopback speed; its time excludes the tick and the imports.", "",
        "| phase | task ms | p99 ms |", "| --- | --- | --- |",
        f"| idle | {fmt(mt['idle_ms'], 2)} | {mt['idle_p99_ms']:.2f} |",
        f"| during downloads | {fmt(mt['busy_ms'], 2)} | {mt['busy_p99_ms']:.2f} |", "",
        "![2 ms task](main_thread_task.png)", "",
        f"Batch: {b['jobs']} jobs, queue limit {b['queue_limit']}, {b['task_seconds']:g} s tasks: "
        f"{b['wall_s']:.2f} s vs ideal {b['ideal_s']:.2f} s ({b['overhead_pct']:+.1f} %, one run).",
        ""]
    return lines


def section_startup(runs: Runs) -> list[str]:
    lines, data = _start(runs, "startup", "Start-up")
    if data is None:
        return lines
    e, m, t = data["enable_ms"], data["enable_modules"], data["timer"]
    lines += [
        "Enable time: `addon_utils.enable` in a fresh process each (bpy already imported), "
        "alternating with a trivial add-on (one operator, one sidebar panel). Timer: "
        "`runtime.timer_tick` called back to back; CPU over an idle minute = time per call x "
        "the calls it asks for in that minute (it stops itself a few seconds after the last "
        "work, or is never registered without a runtime; Blender's own timer dispatch left "
        "out). Start-up timer: `runtime.startup_resume` with "
        f"{data['journal_jobs']:,} old finished jobs, then the first `get_runtime`, in a fresh "
        "process each (journal in the page cache).", "",
        "| what | measured |", "| --- | --- |",
        f"| enable, this add-on | {fmt(e['meshy'], 1, 'ms')}, {m['meshy']['median']:.0f} "
        "modules loaded |",
        f"| enable, trivial add-on | {fmt(e['trivial'], 2, 'ms')} |",
        f"| timer call, no runtime | {fmt(t['no_runtime']['us'], 2, 'us')}, "
        f"{_ticks(t['no_runtime'])} calls per idle minute = "
        f"{t['no_runtime']['cpu_pct']:.5f} % CPU |",
        f"| timer call, runtime without jobs | {fmt(t['idle_runtime']['us'], 2, 'us')}, "
        f"{_ticks(t['idle_runtime'])} calls per idle minute = "
        f"{t['idle_runtime']['cpu_pct']:.5f} % CPU |",
        f"| start-up timer (loads the session, scans {data['journal_jobs']:,} old jobs) | "
        f"{fmt(data['scan_ms'], 1, 'ms')} |",
        f"| first use after it (`get_runtime`, resumes from the journal) | "
        f"{fmt(data['first_use_ms'], 1, 'ms')} |", ""]
    return lines + _first_draw(data.get("first_draw"))


def _first_draw(draw: dict[str, Any] | None) -> list[str]:
    """The first sidebar draw's table (none in figures from before it was measured)."""
    if not draw:
        return []
    lines = [
        "First sidebar draw: every sidebar panel of the add-on right after enabling it, in a "
        "fresh process each (the headers, and the bodies of the panels open by default), "
        "without a key, with a key (emulator on 127.0.0.1: the draw builds the runtime and "
        "starts the balance read in the worker process) and the trivial add-on's panel, in "
        "rotated order. Drawn through tests/fixtures/recording_layout.py (no real UILayout "
        "exists in the bpy module); its RNA checks of every layout call are Python work a real "
        "layout does not do, shown as \"layout checks\" and included in the draw. Blender's "
        "own widget drawing is left out.", "",
        "| sidebar | first draw | of which layout checks | second draw (checks) | modules "
        "loaded | requests / ssl loaded |", "| --- | --- | --- | --- | --- | --- |"]
    for name, label in (("no_key", "this add-on, no key"), ("key", "this add-on, with a key"),
                        ("trivial", "trivial add-on")):
        row = draw[name]
        built = (f"; runtime built in {row['runtime_built']} of {row['ms']['n']}"
                 if name == "key" else "")
        lines.append(f"| {label} | {fmt(row['ms'], 2, 'ms')} | {fmt(row['layout_ms'], 2, 'ms')} "
                     f"| {fmt(row['second_ms'], 2, 'ms')} ({row['second_layout_ms']['median']:.2f}"
                     f" ms) | {row['modules']['median']:.0f}{built} | "
                     f"{', '.join(row['network']) or 'no'} |")
    return [*lines, ""]


def _request_floor(s: dict[str, Any]) -> str:
    """The ratio to the floor under Meshy's request rate (absent from older runs' figures)."""
    if "request_floor_ratio_median" not in s:
        return ""
    return (f" vs the request-rate floor {s['request_floor_ratio_median']:.3f}x "
            f"({s['request_floor_ratio_min']:.3f}-{s['request_floor_ratio_max']:.3f});")


def section_batch(runs: Runs) -> list[str]:
    lines, data = _start(runs, "batch", "Prop-library batch at the account's queue limit")
    if data is None:
        return lines
    lines += [
        "`api.batch` of untextured text-to-3D rows against the emulator in its own process with "
        "the given queue limit and Meshy's documented request-rate limit (20/s; 100/s at 100), "
        "default settings (the concurrency gate learns the limit). Rounds rotate the order of "
        "the limits. Wall time includes planning, every import and the final pump; the floor is "
        "ceil(rows / limit) x task time plus the rows' bare import (the run's own GLB files "
        "imported again with Blender's glTF importer alone, in the same run). The floor under "
        "Meshy's request rate adds what the rate allows at best: the balance read and the "
        "creates in one-second windows (bench.batch.request_floor_seconds; at queue 60 and "
        "20/s, 40 rows cannot end before 5 s).", "",
        "| queue limit | wall s (median) | ideal s | bare import s (median, min-max) | "
        "wall / floor (median, min-max, n) | wall / floor under the request rate | wall / "
        "ideal | full-queue answers (median, min-max) | every row done |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for limit, s in sorted(data["summary"].items(), key=lambda kv: int(kv[0])):
        lines.append(
            f"| {limit} | {s['wall_median_s']:.2f} | {s['ideal_s']:.0f} | "
            f"{s['bare_import_median_s']:.2f} ({s['bare_import_min_s']:.2f}-"
            f"{s['bare_import_max_s']:.2f}) | {s['floor_ratio_median']:.3f} "
            f"({s['floor_ratio_min']:.3f}-{s['floor_ratio_max']:.3f}, n={s['n']}) | "
            f"{_request_floor(s).strip(' ;') or '-'} | "
            f"{s['ratio_median']:.3f} ({s['ratio_min']:.3f}-{s['ratio_max']:.3f}) | "
            f"{s['full_queue_answers_median']:g} ({s['full_queue_answers_min']}-"
            f"{s['full_queue_answers_max']}) | {'yes' if s['all_done'] else 'no'} |")
    lines.append("")
    return lines


def render(runs: Runs, meta: dict[str, Any]) -> str:
    lines = ["# Benchmarks", "",
             f"Generated by `{meta['command']}` on {meta['date']} ({meta['machine']}, "
             f"{meta['cpus']} CPUs, Python {meta['python']}, Blender {meta['blender']}), total "
             f"{meta['seconds']:.0f} s. The Meshy side is the emulator on 127.0.0.1 in its own "
             "process. Figures are median (min-max, n)."
             + (" **Quick mode: reduced sizes, not the published figures.**"
                if meta["quick"] else ""), "", "## Benchmarks run", "", *_status(runs), "",
             "## Targets", "", "| what | target | measured | |", "| --- | --- | --- | --- |"]
    for what, target, measured, met in targets(runs):
        lines.append(f"| {what} | {target} | {measured} | {_ok(met)} |")
    lines.append("")
    for section in (section_imports, section_stall, section_client, section_jobs,
                    section_startup, section_batch):
        lines += section(runs)
    return "\n".join(lines)


# ------------------------------------------------------------------ charts

def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def chart_imports(imports: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    rows = imports["rows"]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    labels = [f"{r['model']}\n{r['objects']:,} objects" for r in rows]
    for offset, key, label in ((-0.2, "bare_s", "bare glTF import"), (0.2, "ours_s", "ours")):
        med = [r[key]["median"] for r in rows]
        err = [[m - r[key]["min"] for m, r in zip(med, rows, strict=True)],
               [r[key]["max"] - m for m, r in zip(med, rows, strict=True)]]
        ax.bar([i + offset for i in range(len(rows))], med, 0.4, yerr=err, capsize=3,
               label=label)
    ax.set_xticks(range(len(rows)), labels)
    ax.set_ylabel("seconds (median, min-max)")
    ax.set_yscale("log")
    ax.set_title(f"Import times, {imports['runs']} alternating pairs each")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_main_thread(jobs: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    mt = jobs["main_thread"]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    ax.hist([mt["idle_samples_ms"], mt["busy_samples_ms"]], bins=50,
            label=["idle", f"during {mt['jobs']} x {mt['download_mb_each']} MB downloads"])
    ax.axvline(mt["idle_p99_ms"], color="#4c72b0", linestyle="--", label="idle p99")
    ax.axvline(mt["busy_p99_ms"], color="#c44e52", linestyle="--", label="downloads p99")
    ax.set_yscale("log")
    ax.set_xlabel(f"time of a {mt['task_ms']:g} ms main-thread task (ms)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def charts(runs: Runs, out: Path) -> None:
    imports, jobs = _data(runs, "imports"), _data(runs, "jobs")
    if imports:
        chart_imports(imports, out / "import_times.png")
    if jobs:
        chart_main_thread(jobs, out / "main_thread_task.png")


def _ticks(timer: dict[str, Any]) -> str:
    """Calls per idle minute (older result files gave only the interval)."""
    if "ticks_per_idle_minute" in timer:
        return f"{timer['ticks_per_idle_minute']:.0f}"
    interval = timer.get("interval_s") or 0
    return f"{60 / interval:.0f}" if interval else "0"
