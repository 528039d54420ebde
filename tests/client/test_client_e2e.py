"""Every task kind end to end against the emulator over real HTTP: create, wait (SSE and
polling), download every asset it offers, with the key never sent to the asset host."""

from __future__ import annotations

import json
import struct
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from meshy_blender.client import MeshyClient, Task, build_payload
from meshy_blender.client.errors import CancelledError, NotFoundError

MAGIC = {
    "glb": (b"glTF",), "fbx": (b"Kaydara FBX Binary", b"; FBX"), "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "usdz": (b"PK\x03\x04",),
    "3mf": (b"PK\x03\x04",), "blend": (b"BLENDER", b"\x28\xb5\x2f\xfd", b"\x1f\x8b"),
}


def png_bytes() -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def run(client: MeshyClient, kind: str, use_stream: bool = True, **options: Any) -> Task:
    task_id = client.create_task(kind, build_payload(kind, **options))
    return client.wait_for_task(kind, task_id, use_stream=use_stream)


def preview(client: MeshyClient) -> Task:
    return run(client, "text-to-3d-preview", prompt="a knight in armour, standing")


def _refine(c: MeshyClient, tmp: Path) -> dict[str, Any]:
    # Texture It is a v2 retexture: GLB only unless formats are asked for.
    return {"preview_task_id": preview(c).id, "enable_pbr": True,
            "target_formats": ["glb", "fbx"]}


def _image(c: MeshyClient, tmp: Path) -> dict[str, Any]:
    (tmp / "front.png").write_bytes(png_bytes())
    return {"image_url": tmp / "front.png", "enable_pbr": True, "target_formats": ["glb", "fbx",
                                                                                     "obj"]}


def _multi(c: MeshyClient, tmp: Path) -> dict[str, Any]:
    (tmp / "a.png").write_bytes(png_bytes())
    return {"image_urls": [tmp / "a.png", str(tmp / "a.png")], "should_texture": True}


def _retexture(c: MeshyClient, tmp: Path) -> dict[str, Any]:
    return {"input_task_id": preview(c).id, "text_style_prompt": "weathered bronze"}


def _remesh(c: MeshyClient, tmp: Path) -> dict[str, Any]:
    source = preview(c)
    glb = c.download_asset("text-to-3d-preview", source, "glb", dest_dir=tmp / "src")
    return {"model_url": glb, "target_formats": ["glb", "fbx", "obj", "stl", "usdz"],
            "topology": "quad", "target_polycount": 5000}


def _rig(c: MeshyClient, tmp: Path) -> dict[str, Any]:
    refined = run(c, "text-to-3d-refine", preview_task_id=preview(c).id)
    return {"input_task_id": refined.id, "height_meters": 1.8}


def _animate(c: MeshyClient, tmp: Path) -> dict[str, Any]:
    rig = run(c, "rig", **_rig(c, tmp))
    return {"rig_task_id": rig.id, "action_id": 1,
            "post_process": {"operation_type": "change_fps", "fps": 30}}


KINDS: dict[str, tuple[Callable[[MeshyClient, Path], dict[str, Any]], set[str]]] = {
    # kind: (inputs, assets that must be offered)
    "text-to-3d-preview": (lambda c, t: {"prompt": "a knight"}, {"glb", "fbx", "obj", "thumbnail"}),
    "text-to-3d-refine": (_refine, {"glb", "fbx", "texture_0_base_color", "texture_0_metallic",
                                    "texture_0_roughness", "texture_0_normal"}),
    "image-to-3d": (_image, {"glb", "fbx", "obj", "texture_0_base_color"}),
    "multi-image-to-3d": (_multi, {"glb", "texture_0_base_color"}),
    "retexture": (_retexture, {"glb", "texture_0_base_color"}),
    "remesh": (_remesh, {"glb", "fbx", "obj", "stl"}),
    "rig": (_rig, {"rigged_character_glb", "rigged_character_fbx", "walking_glb",
                   "walking_fbx", "walking_armature_glb", "running_glb", "running_fbx",
                   "running_armature_glb"}),
    "animate": (_animate, {"animation_glb", "animation_fbx"}),
    "text-to-image": (lambda c, t: {"ai_model": "nano-banana", "prompt": "a knight",
                                    "generate_multi_view": True}, {"image_0", "image_1"}),
    "image-to-image": (lambda c, t: (t.joinpath("r.png").write_bytes(png_bytes()), {
        "ai_model": "nano-banana-2", "prompt": "in bronze",
        "reference_image_urls": [t / "r.png"]})[1], {"image_0"}),
    "convert": (lambda c, t: {"input_task_id": preview(c).id, "target_formats": ["fbx", "obj"]},
                {"fbx", "obj"}),
    "resize": (lambda c, t: {"input_task_id": preview(c).id, "resize_height": 1.8},
               {"glb"}),
}


@pytest.mark.parametrize("use_stream", [True, False], ids=["sse", "polling"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_end_to_end(kind, use_stream, emulator, meshy_client, tmp_path):
    inputs, expected = KINDS[kind]
    options = inputs(meshy_client, tmp_path)
    updates: list[Task] = []
    task_id = meshy_client.create_task(kind, build_payload(kind, **options))
    task = meshy_client.wait_for_task(kind, task_id, use_stream=use_stream,
                                      on_progress=updates.append)

    assert task.succeeded and task.id == task_id
    assert updates and updates[-1].succeeded
    streams = [r for r in emulator.requests("api") if r["path"].endswith(f"{task_id}/stream")]
    assert bool(streams) is use_stream
    urls = task.asset_urls()
    assert expected <= set(urls), f"missing {expected - set(urls)}"

    for name in urls:
        path = meshy_client.download_asset(kind, task, name)
        assert path.parent.name == task_id and path.stat().st_size > 0
        head = path.read_bytes()[:32]
        ext = path.suffix.lstrip(".")
        if ext in MAGIC:
            assert head.startswith(MAGIC[ext]), (name, head)
        elif ext in ("obj", "mtl"):
            assert b"\x00" not in path.read_bytes()[:4096] and not head.startswith(b"<")
    assets = emulator.requests("assets")
    assert assets and not any(r["authorized"] for r in assets)

    # A cached file is reused: no new asset request.
    before = len(emulator.requests("assets"))
    again = meshy_client.download_asset(kind, task, sorted(urls)[0])
    assert again.exists() and len(emulator.requests("assets")) == before
    # Exactly one task of this kind was created (no duplicate paid task).
    # (Meshy API v2 types: a shape is a text-to-3d task, texturing it one retexture)
    listed = {"text-to-3d-preview": "text-to-3d", "text-to-3d-refine": "retexture"}.get(kind, kind)
    made = [t for t in emulator.tasks() if t["type"] == listed]
    assert [t["id"] for t in made] == [task_id]


def test_animation_library_filters_and_list_paging(emulator, meshy_client):
    library = meshy_client.animation_library()
    assert library and {"action_id", "name"} <= set(library[0])
    walking = meshy_client.animation_library(category="WalkAndRun")
    assert walking and all(item["category"] == "WalkAndRun" for item in walking)
    found = meshy_client.animation_library(search="Idle")
    assert found and any("Idle" in item["name"] for item in found)

    ids = [meshy_client.create_task("text-to-3d-preview",
                                    build_payload("text-to-3d-preview", prompt=f"thing {i}"))
           for i in range(3)]
    page1 = meshy_client.list_tasks("text-to-3d-preview", page_num=1, page_size=2)
    page2 = meshy_client.list_tasks("text-to-3d-preview", page_num=2, page_size=2)
    assert [t.id for t in page1 + page2] == ids[::-1]
    oldest = meshy_client.list_tasks("text-to-3d-preview", sort_by="+created_at")
    assert [t.id for t in oldest] == ids


def test_balance_and_delete(emulator, meshy_client, meshy_key):
    start = meshy_client.balance()
    assert start == emulator.balance(meshy_key)
    task_id = meshy_client.create_task("rig", build_payload("rig", input_task_id=preview(
        meshy_client).id))
    assert meshy_client.balance() == start - 20 - 5
    meshy_client.wait_for_task("rig", task_id)  # v2 refuses to delete a running task (A3)
    meshy_client.delete_task("rig", task_id)
    with pytest.raises(NotFoundError):
        meshy_client.get_task("rig", task_id)


def test_progress_is_reported_while_running(emulator, make_client):
    client = make_client()
    emulator.set_fault("latency", 0)  # no-op; keep the default lifecycle
    task_id = client.create_task("text-to-3d-preview",
                                 build_payload("text-to-3d-preview", prompt="slow"))
    seen: list[tuple[str, int]] = []
    client.wait_for_task("text-to-3d-preview", task_id,
                         on_progress=lambda t: seen.append((t.status, t.progress)))
    statuses = [s for s, _ in seen]
    assert statuses[-1] == "SUCCEEDED" and "IN_PROGRESS" in statuses
    progress = [p for _, p in seen]
    assert progress == sorted(progress)


def _busy_task(client: MeshyClient) -> str:
    """A task still running for ~0.8 s: the 10th of 10 queued tasks (3 run at a time)."""
    ids = [client.create_task("text-to-3d-preview",
                              build_payload("text-to-3d-preview", prompt=f"queued {i}"))
           for i in range(10)]
    return ids[-1]


def _cancelled_within(fn: Callable[[threading.Event], Any], after: float) -> float:
    """Run fn(cancel), set cancel after ``after`` s; return how long CancelledError took."""
    cancel = threading.Event()
    timer = threading.Timer(after, cancel.set)
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(CancelledError):
            fn(cancel)
    finally:
        timer.cancel()
    return time.monotonic() - t0 - after


def test_cancel_is_prompt_during_poll_sleep(emulator, make_client):
    client = make_client(poll_interval=5.0, poll_max_interval=5.0)
    task_id = _busy_task(client)
    late = _cancelled_within(lambda c: client.wait_for_task(
        "text-to-3d-preview", task_id, cancel=c, use_stream=False), 0.2)
    assert late < 0.5


def test_cancel_is_prompt_during_an_sse_read(emulator, make_client):
    client = make_client(stream_stall_seconds=30)
    task_id = _busy_task(client)
    emulator.set_fault("sse_keepalive_only", 1)
    late = _cancelled_within(lambda c: client.wait_for_task(
        "text-to-3d-preview", task_id, cancel=c), 0.15)
    assert late < 0.5
    streams = [r for r in emulator.requests("api") if r["path"].endswith("/stream")]
    assert len(streams) == 1


def test_cancel_is_prompt_while_the_server_is_slow_to_answer(emulator, make_client):
    client = make_client(timeout=(2.0, 10.0))
    task = preview(client)
    emulator.set_fault("latency", 3)
    late = _cancelled_within(lambda c: client.wait_for_task(
        "text-to-3d-preview", task.id, cancel=c), 0.2)
    assert late < 0.5
    emulator.clear_faults()
    emulator.set_fault("asset_latency", 3)
    late = _cancelled_within(lambda c: client.download_asset(
        "text-to-3d-preview", task, "glb", cancel=c), 0.2)
    assert late < 0.5
    emulator.clear_faults()


def test_cancellable_downloads_share_one_watcher_and_reuse_their_helper_threads(
        emulator, meshy_client, tmp_path):
    """A batch row used to start seven threads (a helper per request, a watcher per stream or
    download); 40 rows finishing together waited for each other's thread starts. Eight
    downloads at once, twice, still cancellable: one watcher, and the sixteen calls run on at
    most eight helper threads, which stay for the next calls."""
    task = preview(meshy_client)
    cancel = threading.Event()

    def helpers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "meshy-call"}

    def round_of_downloads(n: int) -> None:
        threads = [threading.Thread(target=meshy_client.download_asset,
                                    args=("text-to-3d-preview", task, "glb"),
                                    kwargs={"cancel": cancel,
                                            "dest_dir": tmp_path / f"{n}-{k}"})
                   for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert all((tmp_path / f"{n}-{k}" / "glb.glb").is_file() for k in range(8))

    before = helpers()  # other tests' helpers stay too: only new ones are counted
    round_of_downloads(1)
    round_of_downloads(2)
    made = helpers() - before
    # Sixteen calls, at most eight at a time: at most eight new helpers, kept for the next call.
    assert 1 <= len(made) <= 8 or (not made and before)
    assert sum(t.name == "meshy-watchdog" for t in threading.enumerate()) == 1


def test_cancel_is_prompt_in_the_middle_of_a_download(emulator, meshy_client, tmp_path):
    task = preview(meshy_client)
    emulator.set_fault("asset_size_mb", 300)
    cancel = threading.Event()
    seen: list[int] = []
    cancelled_at: list[float] = []

    def progress(done: int, total: int | None) -> None:
        seen.append(done)
        if done >= 4 * 1024**2 and not cancel.is_set():
            cancelled_at.append(time.monotonic())
            cancel.set()

    with pytest.raises(CancelledError):
        meshy_client.download_asset("text-to-3d-preview", task, "glb", dest_dir=tmp_path / "big",
                                    on_progress=progress, cancel=cancel)
    assert time.monotonic() - cancelled_at[0] < 0.5
    assert seen[-1] < 300 * 1024**2
    assert not list((tmp_path / "big").glob("*")), "no partial file may stay behind"


def test_seed_shapes_json_roundtrip(emulator, meshy_client):
    """The parsed task keeps Meshy's object (v2: the request echoed in ``input``) so callers
    can read what was sent, e.g. the prompt."""
    task = preview(meshy_client)
    assert task.raw["input"]["prompt"].startswith("a knight")
    assert task.sent("prompt") == task.raw["input"]["prompt"]
    assert json.loads(json.dumps(task.raw))["id"] == task.id
