"""Real third-party files through the add-on's import path, and .blend save/reload hygiene."""

from __future__ import annotations

import pytest

from meshy_blender.jobs import model
from meshy_blender.jobs.plans import plan_job

from conftest import KHRONOS


@pytest.mark.parametrize("name, actions", [("03_skinned_cylinder.glb", 1),
                                           ("03_all_animations.glb", 3)])
def test_khronos_files_served_as_a_task_result_keep_armature_and_actions(bpy, meshy_ui, name,
                                                                         actions):
    """The emulator's remesh hands back the uploaded GLB (Meshy's asset host in miniature), so
    the Khronos sample comes back as a task result through the same job -> pump -> import path
    as any Meshy model."""
    from meshy_blender.blender.scene.actions import animated_bones, fcurves_of

    job = plan_job("remesh", {"model_url": str(KHRONOS / name), "target_formats": ["glb"]},
                   label=name, import_options={"format": "GLB", "placement": "CURSOR"})
    meshy_ui.runtime().manager.submit(job)
    meshy_ui.run(job)

    assert job.status == model.IMPORTED, job.detail
    result = meshy_ui.runtime().pump.results[job.id]
    assert len(result.actions) == actions
    assert all(any(True for _ in fcurves_of(a)) for a in result.actions)
    if result.armature is not None:
        skinned = [o for o in result.objects if o.type == "MESH"]
        assert any(m.type == "ARMATURE" and m.object == result.armature
                   for o in skinned for m in o.modifiers)
        assert animated_bones(result.actions[0])
    assert all(r["meshy_job_id"] == job.id for r in result.root_objects)


def test_saved_blend_keeps_results_and_provenance_but_never_the_key(bpy, meshy_ui, tmp_path):
    s = bpy.context.scene.meshy
    s.prompt = "a bronze owl"
    s.should_texture = False
    bpy.ops.meshy.generate_text()
    job = meshy_ui.run()
    assert job.status == model.IMPORTED
    # The emulator's key is the published test-mode key: recognisable, and set in preferences.
    key = meshy_ui.prefs.api_key
    assert key.startswith("msy_")

    blend = tmp_path / "owl.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.wm.open_mainfile(filepath=str(blend))

    owl = bpy.data.objects["a bronze owl"]
    assert owl["meshy_job_id"] == job.id
    assert owl["meshy_task_ids"] == f"preview={job.step('preview').task_id}"
    assert owl["meshy_prompt"] == "a bronze owl"
    assert bpy.context.scene.meshy.prompt == "a bronze owl"  # scene settings travel too
    data = blend.read_bytes()
    assert key.encode() not in data
    assert meshy_ui.emulator.api_url.encode() not in data  # nor the server address
