"""Build, validate and optionally publish the extension zip with Blender's own extension tool.

Stages ``blender_manifest.toml``, ``LICENSE``, ``THIRD_PARTY_NOTICES.md`` and the contents of
``meshy_blender/`` into the extension layout, then runs ``blender_ext.py build`` and
``blender_ext.py validate`` from the bpy wheel (or from a Blender given with --blender-ext). With
``--repo DIR`` the zip is copied into DIR and ``blender_ext.py server-generate`` writes
DIR/index.json (plus index.html), ready for static
hosting as a studio extension repository.

    python scripts/build_extension.py                 # -> dist/meshy-<version>.zip
    python scripts/build_extension.py --repo dist/repo
    python scripts/build_extension.py --version 0.2.1   # a bumped copy (the update test)

It prints the zip's path, size and sha256 (what a release note or a studio's checklist quotes).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "meshy_blender"
MANIFEST = ROOT / "blender_manifest.toml"
# Shipped beside the package in the zip: the license and what else the zip holds.
SHIPPED_FILES = ("LICENSE", "THIRD_PARTY_NOTICES.md")
STAGE_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


def find_blender_ext() -> Path:
    """Locate blender_ext.py inside the installed bpy wheel, without importing bpy."""
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise BuildError(
            "The bpy wheel is not installed in this Python; run `make build` (it creates .venv) "
            "or pass --blender-ext PATH/TO/blender_ext.py"
        )
    for location in spec.submodule_search_locations:
        hits = sorted(glob.glob(os.path.join(location, "*", "scripts", "addons_core", "bl_pkg",
                                             "cli", "blender_ext.py")))
        if hits:
            return Path(hits[-1])
    raise BuildError("blender_ext.py was not found inside the bpy wheel")


def manifest_info() -> dict:
    with MANIFEST.open("rb") as fh:
        return tomllib.load(fh)


def stage(stage_dir: Path, version: str | None = None) -> Path:
    """Copy manifest + license + package contents into the flat layout Blender's build expects.
    ``version`` replaces the manifest's version in the staged copy only (the checkout keeps its
    own): the update test builds "the next release" from the same tree this way."""
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    shutil.copytree(PACKAGE_DIR, stage_dir, ignore=STAGE_IGNORE)
    text = MANIFEST.read_text(encoding="utf-8")
    if version is not None:
        text = _with_version(text, version)
    (stage_dir / "blender_manifest.toml").write_text(text, encoding="utf-8")
    for name in SHIPPED_FILES:
        shutil.copy2(ROOT / name, stage_dir / name)
    return stage_dir


def _with_version(manifest_text: str, version: str) -> str:
    """The manifest text with its top-level ``version = "..."`` line replaced."""
    lines = manifest_text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("version = "):
            lines[i] = f'version = "{version}"\n'
            return "".join(lines)
    raise BuildError("blender_manifest.toml has no version line")


def describe(zip_path: Path) -> str:
    """Path, size and sha256 of a built zip, one per line."""
    digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    return (f"zip: {zip_path}\nsize: {zip_path.stat().st_size} bytes\n"
            f"sha256: {digest}")


def run_tool(blender_ext: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(blender_ext), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        raise BuildError(f"blender_ext.py {args[0]} failed (exit {proc.returncode}):\n{output}")
    return output


def build(output_dir: Path, blender_ext: Path | None = None, version: str | None = None) -> Path:
    """Stage, build and validate; return the path of the validated zip."""
    blender_ext = blender_ext or find_blender_ext()
    info = manifest_info()
    version = version or info["version"]
    output_dir.mkdir(parents=True, exist_ok=True)
    zip_path = output_dir / f"{info['id']}-{version}.zip"
    if zip_path.exists():
        zip_path.unlink()
    (ROOT / "build").mkdir(exist_ok=True)
    # A staging folder of its own: two builds at once (test runs on two Blenders) never share one.
    with tempfile.TemporaryDirectory(prefix="stage-", dir=ROOT / "build") as tmp:
        staged = stage(Path(tmp) / info["id"], version)
        run_tool(blender_ext, "build", "--source-dir", str(staged),
                 "--output-filepath", str(zip_path))
    run_tool(blender_ext, "validate", str(zip_path))
    return zip_path


def generate_repo(zip_path: Path, repo_dir: Path, blender_ext: Path | None = None) -> Path:
    """Copy the zip into repo_dir and write the repository listing (index.json, index.html).

    Earlier versions of the extension are removed from repo_dir first: a listing with two
    versions of one id for the same Blender is ambiguous (server-generate warns), and Blender
    offers the update only when the listing names the new one."""
    blender_ext = blender_ext or find_blender_ext()
    repo_dir.mkdir(parents=True, exist_ok=True)
    extension_id = manifest_info()["id"]
    for old in repo_dir.glob(f"{extension_id}-*.zip"):
        if old.name != zip_path.name:
            old.unlink()
    shutil.copy2(zip_path, repo_dir / zip_path.name)
    run_tool(blender_ext, "server-generate", "--repo-dir", str(repo_dir), "--html")
    index = repo_dir / "index.json"
    if not index.is_file():
        raise BuildError(f"server-generate did not write {index}")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=ROOT / "dist",
                        help="where the zip goes (default: dist/)")
    parser.add_argument("--repo", type=Path, metavar="DIR",
                        help="also publish into DIR as a static extension repository (index.json)")
    parser.add_argument("--blender-ext", type=Path, metavar="PATH",
                        help="blender_ext.py to use (default: the one in the bpy wheel)")
    parser.add_argument("--version", metavar="X.Y.Z",
                        help="build with this version instead of the manifest's (the manifest "
                             "file is not changed)")
    args = parser.parse_args(argv)
    try:
        zip_path = build(args.output_dir, args.blender_ext, args.version)
        print(f"built and validated: {zip_path}")
        print(describe(zip_path))
        if args.repo:
            index = generate_repo(zip_path, args.repo, args.blender_ext)
            print(f"repository index: {index}")
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
