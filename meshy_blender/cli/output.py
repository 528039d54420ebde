"""What the CLI prints and writes: one JSON object or key: value lines on stdout, Blender's own
chatter on stderr while --json is on, and --out files."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..client.errors import mask_secrets
from ..version import extension_version
from .exit_codes import UsageError

# Machine forms kept in --json for scripts, shown in people's words in plain output
# (``created_at`` epoch milliseconds: ``created`` local ISO time beside it).
JSON_ONLY = frozenset({"created_at"})


def emit(payload: dict[str, Any], as_json: bool) -> None:
    """Print the result (or error) object. Labels and prompts print as written (error text was
    scrubbed where it was made); the registered key is masked as a last guard. A JSON object
    names the extension version that made it (``extension_version``)."""
    if as_json:
        payload = {**payload, "extension_version": extension_version()}
        print(mask_secrets(json.dumps(payload, indent=1, sort_keys=True, default=str)), flush=True)
        return
    for key, value in payload.items():
        if key in ("ok", "command") or value in (None, [], {}):
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for row in value:
                print(mask_secrets("  ".join(f"{k}={v}" for k, v in row.items()
                                             if k not in JSON_ONLY)))
        else:
            shown = (", ".join(f"{k}={v}" for k, v in value.items())
                     if isinstance(value, dict) else value)
            print(mask_secrets(f"{key}: {shown}"))
    sys.stdout.flush()


@contextlib.contextmanager
def stdout_to_stderr(active: bool) -> Iterator[None]:
    """Keep stdout pure JSON: Blender prints to file descriptor 1, Python code to sys.stdout,
    and importers log through handlers that hold sys.stdout; all go to stderr meanwhile."""
    if not active:
        yield
        return
    import logging

    stdout = sys.stdout
    handlers = [h for h in _stream_handlers(logging) if h.stream is stdout]
    stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    for handler in handlers:
        handler.setStream(sys.stderr)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        for handler in handlers:
            handler.setStream(stdout)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved, 1)
        os.close(saved)


@contextlib.contextmanager
def importer_notes_quiet() -> Iterator[None]:
    """The glTF importer logs three INFO lines per file on stdout ("Data are loaded, start
    creating Blender stuff"); they say nothing to a shell user. Its warnings still show."""
    import logging

    logger = logging.getLogger("glTFImporter")

    def keep(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


def _stream_handlers(logging: Any) -> list[Any]:
    loggers = [logging.getLogger(), *(logging.getLogger(name)
                                      for name in list(logging.root.manager.loggerDict))]
    return [h for lg in loggers for h in getattr(lg, "handlers", [])
            if isinstance(h, logging.StreamHandler)]


OUT_SUFFIXES = (".blend", ".glb", ".gltf", ".fbx")


def check_out(out: Path | None) -> None:
    """Refuse an --out type we cannot write before anything is sent (or paid for)."""
    if out is not None and Path(out).suffix.lower() not in OUT_SUFFIXES:
        raise UsageError(f"--out {Path(out).name}: use .blend, .glb, .gltf or .fbx; nothing "
                         "was sent")


def save(out: Path, result: Any) -> Path:
    """Write the result: a .blend of the whole file, or the result's objects as GLB/FBX."""
    import bpy

    path = Path(out).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".blend":
        bpy.ops.wm.save_as_mainfile(filepath=str(path), check_existing=False)
        return path
    check_out(path)
    objects = set(result.objects)
    if result.armature is not None:
        objects |= {result.armature, *result.armature.children_recursive}
    layer: Any = bpy.context.view_layer
    for obj in layer.objects:
        obj.select_set(obj in objects)
    if suffix == ".fbx":
        bpy.ops.export_scene.fbx(filepath=str(path), use_selection=True, bake_anim=True,
                                 add_leaf_bones=False)
    else:
        bpy.ops.export_scene.gltf(filepath=str(path), use_selection=True,
                                  export_format="GLB" if suffix == ".glb" else "GLTF_SEPARATE")
    return path
