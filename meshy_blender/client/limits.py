"""What Meshy accepts, as plain data: models, formats, text and polygon limits, face limits.

A leaf module (no imports), so Blender can build the sidebar's enums and field limits when the
add-on is enabled without loading the validation and pricing machinery (see :mod:`.specs`).
"""

from __future__ import annotations

AI_MODELS = ("meshy-5", "meshy-6", "latest")  # text to 3D (no Meshy-7 there)
IMAGE_AI_MODELS = ("meshy-5", "meshy-6", "meshy-7", "latest")  # image endpoints, retexture
IMAGE_MODELS = ("nano-banana", "nano-banana-2", "nano-banana-pro", "gpt-image-2")
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
