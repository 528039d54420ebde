"""Plain data the operator, panel and preference classes need when the add-on is enabled.

A leaf module (standard library only), so registering the classes does not load the request
builders, settings resolution or the client; those load when a panel first draws or a button
first runs.
"""

from __future__ import annotations

from typing import Any

# The request kind each Generate mode sends.
REQUEST_FOR_MODE = {"TEXT": "text-to-3d", "IMAGE": "image-to-3d",
                    "MULTI_IMAGE": "multi-image-to-3d"}
# The Generate operator of each mode (operators define themselves by these ids; panels draw them).
GENERATE_OPERATORS = {"TEXT": "meshy.generate_text", "IMAGE": "meshy.generate_image",
                      "MULTI_IMAGE": "meshy.generate_multi_image"}
# Jobs running at once unless Preferences or the environment say otherwise.
DEFAULT_MAX_JOBS = 10


def candidate_count(s: Any) -> int:
    """How many shapes the Generate button sends: the Candidates setting for an untextured
    text prompt (shape first), else one."""
    return int(s.candidates) if s.mode == "TEXT" and not s.should_texture else 1
