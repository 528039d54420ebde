"""What Meshy accepts, as plain data: models, formats, text and polygon limits, face limits.

Imports only the model catalogue (itself a leaf), so Blender can build the sidebar's enums and
field limits when the add-on is enabled without loading the validation and pricing machinery
(see :mod:`.specs`).
"""

from __future__ import annotations

from . import model_catalogue as _catalogue


def _values(kind: str) -> tuple[str, ...]:
    return tuple(m.value for m in _catalogue.for_kind(kind))


# Every model value a kind takes, retired ones included (validation refuses those with their
# date); the choosable ones on a given day are ``model_catalogue.offered(kind)``.
AI_MODELS = _values("text-to-3d-preview")
IMAGE_AI_MODELS = _values("image-to-3d")
IMAGE_MODELS = _values("text-to-image")
MODEL_FORMATS = ("glb", "obj", "fbx", "stl", "usdz", "3mf")
REMESH_FORMATS = ("glb", "fbx", "obj", "usdz", "blend", "stl", "3mf")
CONVERT_FORMATS = (*MODEL_FORMATS, "blend")
POST_PROCESS_OPS = ("change_fps", "fbx2usdz", "extract_armature")
TEXTURE_RESOLUTIONS = ("2k", "4k", "8k")
MOTION_MODES = ("prime", "swift")  # prime -> FBX, swift -> BVH
MAX_PROMPT = 600
MAX_MOTION_PROMPT = 400
MAX_POLYCOUNT = 300_000
SMART_TOPOLOGY_POLYCOUNT = (100, 15_000)
# Meshy refuses bigger inputs with a 400; checked here (and on the exported mesh) before paying.
FACE_LIMITS = {"rig": 320_000, "uv-unwrap": 40_000}
