"""The benchmark pipeline in small: a real (tiny) import benchmark, charts and the report."""

from __future__ import annotations

import copy

import bench_import
import bench_report
import pytest


def test_import_benchmark_times_both_paths_on_the_same_file(bpy, tmp_path):
    path, triangles = bench_import.ensure_glb(tmp_path, 2_000)
    assert path.read_bytes()[:4] == b"glTF"
    figures = bench_import.run(path, runs=2)
    assert figures["imported_triangles"] == triangles
    assert len(figures["ours_s"]) == len(figures["bare_s"]) == 2
    # Our own share is measured inside the same call, so it is smaller than the whole import.
    assert all(0 < own < total for own, total in zip(figures["own_s"], figures["ours_s"],
                                                     strict=True))
    assert figures["overhead_pct"] == 100 * (figures["ours_median_s"] - figures["bare_median_s"]
                                             ) / figures["bare_median_s"]


def _client_figures():
    wait = {"tasks": 3, "requests_per_task": 2.0, "latency_ms_median": 40.0,
            "latency_ms_p95": 60.0, "latency_ms_max": 70.0, "latencies_ms": [30.0, 40.0, 70.0]}
    return {"wait": [{**wait, "mode": "sse"}, {**wait, "mode": "polling",
                                              "latencies_ms": [900.0, 2000.0, 4000.0],
                                              "latency_ms_max": 4000.0}],
            "download": {"size_mb": 20.0, "to_nowhere_mb_s": 900.0, "plain_mb_s": 500.0,
                         "client_mb_s": 450.0, "ratio": 0.9, "peak_rss_growth_mb": 3.0,
                         "rounds": 1}}


def _jobs_figures():
    return {"main_thread": {"jobs": 5, "download_mb_each": 20, "ticks": 4, "events": 9,
                            "tick_ms_median": 0.02, "tick_ms_p99": 0.5, "tick_ms_max": 0.5,
                            "wall_s": 1.0, "tick_ms": [0.01, 0.02, 0.5, 0.03]},
            "batch": {"jobs": 4, "queue_limit": 2, "task_seconds": 1.0, "wall_s": 2.1,
                      "ideal_s": 2.0, "overhead_pct": 5.0, "finished_s": [1.0, 1.0, 2.1, 2.1]}}


def test_report_and_charts_are_written_and_missed_targets_show(bpy, tmp_path):
    pytest.importorskip("matplotlib", reason="charts need matplotlib (requirements/test.lock)")
    path, _ = bench_import.ensure_glb(tmp_path, 2_000)
    imports = {"blender": bpy.app.version_string, "triangles": 4000,
               **bench_import.run(path, runs=1)}
    client, jobs = _client_figures(), _jobs_figures()
    bench_report.chart_ticks(jobs, tmp_path / "ticks.png")
    bench_report.chart_detection(client, tmp_path / "latency.png")
    bench_report.chart_batch(jobs, tmp_path / "batch.png")
    bench_report.chart_import(imports, tmp_path / "import.png")
    for name in ("ticks", "latency", "batch", "import"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    meta = {"command": "test", "date": "today", "machine": "x", "cpus": 2, "python": "3.11",
            "seconds": 1.0, "quick": True}
    text = bench_report.render(client, jobs, imports, meta)
    assert "| Main-thread time per pump tick (p99) | < 2 ms | 0.500 ms | PASS |" in text
    assert "![pump tick times](tick_times.png)" in text
    slow = copy.deepcopy(jobs)
    slow["main_thread"]["tick_ms_p99"] = 3.5
    rows = {what: met for what, _, _, met in bench_report.targets(client, slow, imports)}
    assert rows["Main-thread time per pump tick (p99)"] is False
    assert "| 3.500 ms | FAIL |" in bench_report.render(client, slow, imports, meta)
