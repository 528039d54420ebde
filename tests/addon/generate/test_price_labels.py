"""The price the sidebar's first draw shows (session/price_labels.py: Meshy's price tables
alone) is the price planning the request gives (what a click plans and gates), for every
combination of the options the Generate and Retexture buttons send that changes a price."""

from __future__ import annotations

import itertools


def _items(data, name):
    return [item.identifier for item in data.bl_rna.properties[name].enum_items]


def _planned(req, copies=1):
    from meshy_blender.blender.core import costs

    return costs.estimate(req, None, copies)


def test_generate_priced_from_the_tables_equals_the_plan_for_every_option(bpy, meshy_ui,
                                                                          tmp_path):
    from meshy_blender.blender.core import config, price_labels, sidebar_requests
    from meshy_blender.blender.core.sidebar_data import candidate_count

    s = bpy.context.scene.meshy
    tools = bpy.context.scene.meshy_tools
    settings = config.resolve(bpy.context)
    s.prompt = "a chair"
    picture = str(tmp_path / "chair.png")  # priced with a stand-in: the file is never read
    s.image.filepath = picture
    s.multi_image_1.filepath = picture
    s.multi_image_2.filepath = picture
    animations = bpy.context.window_manager.meshy.animations
    animations.clear()
    for action_id in (1, 2):
        item = animations.add()
        item.action_id = action_id
        item.selected = True
    compared, unpublished, passes = 0, 0, 0
    for mode, ai_model, model_type, textured in itertools.product(
            ("TEXT", "IMAGE", "MULTI_IMAGE"), _items(s, "ai_model"), _items(s, "model_type"),
            (True, False)):
        for remesh, rig, animate, meshy7, geometry, size, candidates in (
                (False, False, False, False, "standard", "NONE", 1),
                (True, True, True, False, "standard", "NONE", 3),
                (True, False, False, True, "standard", "NONE", 1),
                (False, True, False, True, "2k", "NONE", 2),
                *((False, False, False, False, res, "NONE", 1)
                  for res in _items(tools, "geometry_resolution") if res != "standard"),
                *((False, False, False, False, "standard", res, 1)
                  for res in _items(tools, "texture_resolution") if res != "NONE")):
            s.mode, s.ai_model, s.model_type, s.should_texture = mode, ai_model, model_type, \
                textured
            s.chain_remesh, s.chain_rig, s.chain_animate = remesh, rig, animate
            s.candidates = candidates
            tools.meshy7, tools.geometry_resolution, tools.texture_resolution = meshy7, \
                geometry, size
            copies = candidate_count(s)
            planned = _planned(sidebar_requests.generate(s, settings, estimate=True), copies)
            cheap = price_labels.generate(s, copies)
            where = (mode, ai_model, model_type, textured, remesh, rig, animate, meshy7,
                     geometry, size, candidates)
            if planned.credits is None:  # refused by validation: the planner's draw says why
                continue
            assert cheap == planned, where
            compared += 1
            unpublished += bool(planned.unpublished)
            passes += geometry != "standard" and mode != "TEXT"
    # The walk reaches priced and unpublished prices alike, in every mode, and the priced
    # geometry pass (Geometry 2K / 4K).
    assert compared >= 3 * 2 * 6 and unpublished > 0 and passes > 0, \
        (compared, unpublished, passes)


def test_retexture_priced_from_the_tables_equals_the_plan_for_every_option(bpy, meshy_ui):
    from meshy_blender.blender.core import config, price_labels, sidebar_requests

    s = bpy.context.scene.meshy
    tools = bpy.context.scene.meshy_tools
    settings = config.resolve(bpy.context)
    s.retexture_source, s.retexture_prompt = "PROMPT", "weathered bronze"
    compared = 0
    for texture_model, meshy7, multiview, size in itertools.product(
            _items(s, "retexture_texture_model"), (False, True), (False, True),
            _items(tools, "texture_resolution")):
        s.retexture_texture_model = texture_model
        tools.meshy7, tools.multiview_retexture, tools.texture_resolution = meshy7, multiview, size
        planned = _planned(sidebar_requests.retexture(s, settings, None, "Cube", estimate=True))
        if planned.credits is None:
            continue
        assert price_labels.retexture(s) == planned, (texture_model, meshy7, multiview, size)
        compared += 1
    assert compared >= 8, compared
