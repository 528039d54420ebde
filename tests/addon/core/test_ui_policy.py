"""The sidebar obeys the studio policy like the API and CLI: locked options are shown locked and
sent with their pinned value, prices follow the policy, caps refuse before any request."""

from __future__ import annotations

import pytest

from meshy_blender.jobs import model

from fixtures.recording_layout import RecordingLayout, draw_panel

POLICY = """\
max_credits_per_job = 40

[locked.text-to-3d]
ai_model = "meshy-6-lite"
"""


@pytest.fixture
def policy_file(meshy_ui, tmp_path, monkeypatch):
    path = tmp_path / "studio.toml"
    path.write_text(POLICY, encoding="utf-8")
    monkeypatch.setenv("MESHY_STUDIO_CONFIG", str(path))
    return path


def draw_generate(bpy) -> RecordingLayout:
    from meshy_blender.blender.features.generate.panel import MESHY_PT_generate

    return draw_panel(MESHY_PT_generate, bpy.context)


def test_locked_option_is_drawn_locked_with_its_pinned_value(bpy, meshy_ui, policy_file):
    s = bpy.context.scene.meshy
    s.mode = "TEXT"
    s.prompt = "a lantern"
    s.ai_model = "meshy-6"
    layout = draw_generate(bpy)
    assert "ai_model" not in layout.props()
    assert any("meshy-6-lite (studio)" in text for text in layout.texts())
    # The price is that of what will be sent: Meshy-6 Lite preview (5) + refine (10).
    assert any("Generate (15 credits" in text for text in layout.texts())


def test_generate_sends_the_pinned_value(bpy, meshy_ui, policy_file):
    s = bpy.context.scene.meshy
    s.prompt = "a lantern"
    s.ai_model = "meshy-6"  # set before the policy was rolled out; the field is locked now
    assert bpy.ops.meshy.generate_text() == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    assert meshy_ui.params(job.step("refine").task_id)["ai_model"] == "meshy-6-lite"


def test_per_job_cap_refuses_before_any_request(bpy, meshy_ui, policy_file):
    s = bpy.context.scene.meshy
    s.prompt = "a knight"
    s.chain_rig = True
    s.chain_remesh = True
    # Meshy-6 Lite 15 + remesh 5 + rig 5 = 25 credits
    policy_file.write_text(POLICY.replace("40", "20"), encoding="utf-8")
    layout = draw_generate(bpy)
    assert any("cap" in text.lower() for text in layout.texts())
    with pytest.raises(RuntimeError, match="20"):
        bpy.ops.meshy.generate_text()
    assert meshy_ui.posts() == []  # nothing sent (drawing only read the free balance)


def test_selected_object_panel_shows_remesh_locks(bpy, meshy_ui, tmp_path, monkeypatch):
    from meshy_blender.blender.features.edit.panel import MESHY_PT_selected

    path = tmp_path / "remesh.toml"
    path.write_text('[locked.remesh]\ntarget_polycount = 20000\ntopology = "quad"\n')
    monkeypatch.setenv("MESHY_STUDIO_CONFIG", str(path))
    bpy.ops.mesh.primitive_cube_add()
    layout = draw_panel(MESHY_PT_selected, bpy.context)
    assert "remesh_polycount" not in layout.props() and "remesh_topology" not in layout.props()
    assert any("20000 (studio)" in text for text in layout.texts())
    assert "rig_height" in layout.props()  # not locked: still editable
