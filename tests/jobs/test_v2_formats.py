"""Meshy API v2 makes GLB only unless asked (image to 3D, multi-image, retexture, remesh:
reference §4), so the job asks for the format its import needs instead of assuming v1's
"every format but 3MF"."""

from __future__ import annotations

import pytest
from test_client_e2e import png_bytes

from meshy_blender.jobs import model
from meshy_blender.jobs.plans import plan_job

from fixtures.emulator import created_tasks
from fixtures.jobs import wait_finished

IMAGE = {"image-to-3d": {"image_url": "https://x/a.png"},
         "multi-image-to-3d": {"image_urls": ["https://x/a.png", "https://x/b.png"]}}


@pytest.mark.parametrize("kind", sorted(IMAGE))
@pytest.mark.parametrize(("fmt", "asked"), [("FBX", ["glb", "fbx"]), ("GLB", ["glb"])])
def test_image_kinds_ask_for_the_import_format(kind, fmt, asked):
    job = plan_job(kind, dict(IMAGE[kind]), import_options={"format": fmt})
    assert job.steps[0].options["target_formats"] == asked
    given = plan_job(kind, {**IMAGE[kind], "target_formats": ["obj"]},
                     import_options={"format": fmt})
    assert given.steps[0].options["target_formats"] == ["obj", fmt.lower()]


def test_an_fbx_import_of_an_image_to_3d_gets_its_fbx(emulator, make_client, make_manager,
                                                      tmp_path):
    picture = tmp_path / "front.png"
    picture.write_bytes(png_bytes())
    manager = make_manager(make_client())
    job = manager.submit(plan_job("image-to-3d", {"image_url": str(picture)},
                                  import_options={"format": "FBX"}))
    wait_finished(manager, [job.id], timeout=60)
    assert job.status == model.READY, job.detail
    assert "image-to-3d.fbx" in job.files
    (created,) = created_tasks(emulator)
    assert emulator.task(created["created_task_id"])["target_formats"] == ["glb", "fbx"]
