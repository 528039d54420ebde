"""The help line (with unit, range or choices, and default) and the value placeholder of every
Meshy option the CLI offers as a flag, keyed by the API option name.

Kept beside the parser rather than in client/specs.py: the specs check values, this says them
in a shell's words. ``tests/api/test_cli_usage.py`` fails on an option shown without help, so a
new API option needs a line here. "Meshy's default" means the CLI sends nothing for it.
"""

from __future__ import annotations

from ..client.limits import (
    MAX_POLYCOUNT,
    MAX_PROMPT,
    MOTION_MODES,
    POST_PROCESS_OPS,
    TEXTURE_RESOLUTIONS,
)

BOOL = "true|false"
_POLY = f"{MAX_POLYCOUNT:,}"

# API option name -> (metavar, help). Booleans read true/false, yes/no or 1/0 and nothing else.
OPTION_HELP: dict[str, tuple[str, str]] = {
    "ai_model": ("MODEL", "the Meshy model; one of: {choices} (default: Meshy's current model)"),
    "model_type": ("TYPE", "kind of mesh; one of: {choices} (default: standard)"),
    "alpha_thumbnail": (BOOL, "also make a transparent-background PNG thumbnail "
                              "(default: false)"),
    "art_style": ("STYLE", "realistic or sculpture (default: realistic)"),
    "aspect_ratio": ("RATIO", "image shape: 1:1, 16:9, 9:16, 4:3 or 3:4 (default: 1:1)"),
    "auto_size": (BOOL, "let Meshy scale the model to a real-world size (default: false)"),
    "convert_format_only": (BOOL, "only change the file format, keep the mesh as it is "
                                  "(default: false)"),
    "decimation_mode": ("1-4", "polycount preset instead of --target-polycount, 1 (fewest) to 4 "
                               "(default: Meshy's)"),
    "duration": ("SECONDS", "length of the motion, 2-10 seconds in steps of 0.5 "
                            "(default: Meshy's)"),
    "enable_original_uv": (BOOL, "keep the model's own UVs when retexturing (default: true)"),
    "enable_pbr": (BOOL, "also make metallic, roughness and normal maps (default: false)"),
    "generate_multi_view": (BOOL, "several views of the object instead of one image "
                                  "(default: false)"),
    "hd_texture": (BOOL, "high-resolution textures (older switch; prefer "
                         "--texture-resolution) (default: false)"),
    "height_meters": ("METRES", "the character's height in metres, above 0 and up to 100 "
                                "(default: 1.7)"),
    "image_enhancement": (BOOL, "let Meshy clean up the input image first (default: true)"),
    "image_style_url": ("IMAGE", "style reference for the new textures: a PNG/JPEG file or URL "
                                 "(instead of --text-style-prompt)"),
    "is_a_t_pose": (BOOL, "older switch for a T-pose character; prefer --pose-mode "
                          "(default: false)"),
    "max_colors": ("1-16", "most colours in the 3MF, 1-16 (default: Meshy's)"),
    "max_depth": ("3-6", "colour detail depth, 3-6 (default: Meshy's)"),
    "mode": ("MODE", f"{' or '.join(MOTION_MODES)}: prime makes FBX, swift makes BVH "
                     "(default: Meshy's)"),
    "moderation": (BOOL, "screen the prompt and images for unsafe content (default: false)"),
    "multi_view_thumbnails": (BOOL, "also make front/right/back/left thumbnails "
                                    "(default: false)"),
    "multiview_image_urls": ("IMAGES", "1-4 views of the model as style references, comma "
                                       "separated files or URLs (meshy-7 only)"),
    "negative_prompt": ("TEXT", f"what the model must not look like (up to {MAX_PROMPT} "
                                "characters)"),
    "origin_at": ("WHERE", "where the model's origin goes: bottom or center "
                           "(default: Meshy's)"),
    "pose_mode": ("POSE", "a-pose, t-pose or '' for none: the character's pose "
                          "(default: none)"),
    "post_process": ("JSON", "after animating: {\"operation_type\": one of "
                             f"{', '.join(POST_PROCESS_OPS)}, \"fps\": 24|25|30|60 for "
                             "change_fps} (default: none)"),
    "remove_lighting": (BOOL, "textures without baked-in highlights and shadows "
                              "(default: true)"),
    "resize_height": ("METRES", "scale the model to this height in metres, 0-1000 "
                                "(default: unchanged)"),
    "resize_longest_side": ("METRES", "scale the model so its longest side is this long in "
                                      "metres, 0-1000 (default: unchanged)"),
    "save_pre_remeshed_model": (BOOL, "also keep the model as it was before remeshing "
                                      "(default: false)"),
    "should_remesh": (BOOL, "remesh to --topology and --target-polycount (default: Meshy's "
                            "for the model)"),
    "should_texture": (BOOL, "texture the model; false makes an untextured shape and pays for "
                             "the shape only (default: true)"),
    "symmetry_mode": ("MODE", "off, auto or on (default: auto)"),
    "target_formats": ("FORMATS", "comma-separated file formats to make, e.g. glb,fbx (of glb, "
                                  "obj, fbx, stl, usdz, 3mf; remesh also blend) (default: "
                                  "Meshy's, glb always included)"),
    "target_polycount": ("FACES", f"faces of the remeshed model, 100-{_POLY} (smart-topology: "
                                  "up to 15,000) (default: 30,000)"),
    "text_style_prompt": ("TEXT", f"the new look in words (up to {MAX_PROMPT} characters; or "
                                  "--image-style-url)"),
    "texture_image_url": ("IMAGE", "an image that guides the texture: a PNG/JPEG file or URL "
                                   "(default: none)"),
    "texture_prompt": ("TEXT", f"what the texture should look like, if not the prompt (up to "
                               f"{MAX_PROMPT} characters)"),
    "texture_resolution": ("RES", f"texture size: {', '.join(TEXTURE_RESOLUTIONS)} "
                                  "(default: 2k)"),
    "topology": ("TOPOLOGY", "quad or triangle faces (default: triangle)"),
    "ultra_mode": (BOOL, "meshy-7's finest detail, 5 credits extra in image modes "
                         "(default: false)"),
    "texture_model": ("MODEL", "the texturing model: meshy-7, meshy-n1 or meshy-6-lite "
                               "(default: meshy-7)"),
    "texture_image_urls": ("IMAGES", "comma list of images (files or URLs) that guide "
                                     "the texture from several views (default: none)"),
    "geometry_resolution": ("RES", "mesh detail: standard, 2k or 4k (Meshy-7.1 / latest; "
                                   "2k also meshy-7; multi-image up to 2k); 2k and 4k cost 5 "
                                   "credits extra (default: standard)"),
    "uv_mode": ("MODE", "the UVs of a retextured model: auto, original (keep the model's) or "
                        "regenerate (default: auto)"),
    "metadata": ("JSON", "labels for cost reports on Studio / Enterprise team keys, e.g. "
                         "'{\"project\": \"pilot\", \"shot\": \"sh010\"}' (at most 64; "
                         "default: none)"),
}


def option_help(name: str, choices: list[str]) -> tuple[str, str | None]:
    """(metavar, help) of the API option ``name``; ``choices`` fill a model list. An option
    with no line here gets a bare VALUE and no help, which the help test refuses."""
    metavar, text = OPTION_HELP.get(name, ("VALUE", ""))
    if not text:
        return metavar, None
    return metavar, text.replace("{choices}", ", ".join(choices) or "see Meshy's docs")
