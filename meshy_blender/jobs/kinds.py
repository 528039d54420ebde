"""Every kind of work by name, in one table: what a user can request, what Meshy calls the task
types, and which names the API, CLI and sidebar accept for them.

Pure data (no imports beyond the standard library), so the client-free layers, the sidebar's
enums and the CLI's choices all read the same lists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ToolKind:
    """One model tool (API notes: a Meshy task that takes a model or a prompt and makes one more
    thing), declared once: planning (what to download, whether a chain may follow), the
    request kinds, History's filter and every label read it from :data:`TOOLS` instead of
    naming the kind. Its request fields and price are the client's (``client/specs.py``,
    ``client/pricing.py``)."""

    kind: str  # the request kind, as Meshy's task type names it
    label: str  # what Tasks, History and reports call it
    downloads: tuple[str, ...]  # what a job ending in it fetches (empty: its result is a report)
    chains: bool = False  # its model can go on to remesh / rig / animate
    # A model in, a model out: set (one line of help, an example's arguments), the CLI offers
    # it as ``meshy <kind> --task-id ID|--input FILE`` with the API's own options, calling
    # ``api.<kind with underscores>``. Empty for the tools whose subcommands are hand-built.
    summary: str = ""
    example: str = ""

    @property
    def api_name(self) -> str:
        """The public API function's name (``meshy_blender.api``)."""
        return self.kind.replace("-", "_")


# The model tools, in the order History lists them. A new tool is one more row here.
TOOLS: tuple[ToolKind, ...] = (
    ToolKind("text-to-motion", "Text to Motion", ("motion",)),
    ToolKind("uv-unwrap", "UV Unwrap", ("glb",), chains=True),
    ToolKind("print-analyze", "3D Print Analyze", ()),
    ToolKind("print-repair", "3D Print Repair", ("glb",)),
    ToolKind("print-multi-color", "3D Print Multi-colour", ("3mf",)),
    ToolKind("resize", "Resize", ("glb",),
             summary="A model at a real-world size (1 credit): --resize-height metres, "
                     "--resize-longest-side or --auto-size true; --origin-at bottom|center.",
             example="--task-id TASK --resize-height 1.8 --origin-at bottom"),
)
# The model-tool kinds: planned, priced and run by jobs/ like every request; the sidebar, API
# and CLI offer each on top of plans.plan_job.
TOOL_KINDS: tuple[str, ...] = tuple(tool.kind for tool in TOOLS)

# What a user can ask for (a job); a request may become a chain of Meshy tasks.
REQUEST_KINDS: tuple[str, ...] = ("text-to-3d", "image-to-3d", "multi-image-to-3d", "retexture",
                                  "remesh", "rig", "animate", "text-to-image", "image-to-image",
                                  *TOOL_KINDS)

# Chain options, accepted by every generating request on top of the API's own parameters;
# "retexture" follows a UV unwrap (keeping its UVs), "apply_to_rig" (a rig task id) applies a
# text-to-motion to that rig.
CHAIN_KEYS: tuple[str, ...] = ("remesh", "rig", "animations", "retexture", "apply_to_rig")

# Meshy task types a job can re-attach to by id ("Resume task by id"), as Meshy names them.
RESUMABLE_KINDS: tuple[str, ...] = (
    "text-to-3d-preview", "text-to-3d-refine", "image-to-3d", "multi-image-to-3d", "retexture",
    "remesh", "rig", "animate", "text-to-image", "image-to-image", *TOOL_KINDS)

# Names accepted for a task kind by resume/status/list (request kinds, task types, synonyms)
# -> the task type. "text-to-3d" alone means the textured (refine) task.
TASK_KIND_ALIASES: dict[str, str] = {
    **{kind: kind for kind in RESUMABLE_KINDS},
    "text-to-3d": "text-to-3d-refine",
    "rigging": "rig",
    "animation": "animate",
}

# Kinds tried in order when the CLI is asked for a task id of unknown kind.
SEARCH_ORDER: tuple[str, ...] = ("text-to-3d", "image-to-3d", "multi-image-to-3d", "retexture",
                                 "remesh", "rig", "animate", "text-to-image", "image-to-image")

LABELS: dict[str, str] = {
    "text-to-3d-preview": "Text to 3D (shape)", "text-to-3d-refine": "Text to 3D (textured)",
    "image-to-3d": "Image to 3D", "multi-image-to-3d": "Multi-image to 3D",
    "retexture": "Retexture", "remesh": "Remesh", "rig": "Rig", "animate": "Animation",
    "text-to-image": "Text to Image", "image-to-image": "Image to Image",
    "convert": "Convert", "rig-check": "Rig Check",
    **{tool.kind: tool.label for tool in TOOLS},
}

# History's filter: every kind at once (the default), one kind, or the types Meshy sent that
# the add-on does not know ("Other", drawn with Meshy's own type name).
HISTORY_ALL = "ALL"
HISTORY_OTHER = "OTHER"


def history_filter_items() -> list[tuple[str, str, str]]:
    """(identifier, name, description) of History's kind filter, "All Kinds" first."""
    return [(HISTORY_ALL, "All Kinds", "Every kind of Meshy task, newest first"),
            *resumable_enum_items(),
            (HISTORY_OTHER, "Other", "Tasks of a type this add-on does not know")]


def history_list_kind(shown: str) -> str:
    """The kind to ask Meshy's list for when History shows ``shown`` ("": every kind)."""
    return "" if shown in (HISTORY_ALL, HISTORY_OTHER) else shown


def history_shows(shown: str, kind: str) -> bool:
    """Whether History filtered to ``shown`` lists a task of ``kind`` (read from Meshy's
    ``type``; "" for a type the add-on does not know)."""
    if shown == HISTORY_ALL:
        return True
    if shown == HISTORY_OTHER:
        return kind not in LABELS
    return kind == shown


def resumable_enum_items() -> list[tuple[str, str, str]]:
    """(identifier, name, description) for Blender enums listing resumable task kinds."""
    return [(k, LABELS.get(k, k), f"A Meshy {LABELS.get(k, k)} task") for k in RESUMABLE_KINDS]
