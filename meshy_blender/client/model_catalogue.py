"""Every Meshy model the add-on knows, as data: what takes it, its price, its dates, its successor.

Meshy retires models on announced dates (a retired model makes requests fail), so the sidebar,
the Python API, the command line and the studio policy all read this one table and decide
"retired" / "deprecated" from a date (today unless a caller or :func:`as_of` pins one). A leaf
module (standard library only): Blender builds its enums from it when the add-on is enabled.

Sources (see ``meshy-api-v2.md`` section 8 of the project's reference notes):

- Dates and status: Meshy's deprecations page, https://docs.meshy.ai/zh/api/deprecations, and
  the deprecation banner on every docs page (Meshy-7 as a 3D model deprecated 2026-09-18,
  retiring 2026-12-31; Meshy-5 retired 2026-10-10; Meshy-4 2026-03-20; Meshy-T1 / low-poly
  retiring 2026-10-30); ``latest`` = Meshy-7.1 there and in meshy-dev/meshy-mcp-server v0.6.0.
- Prices: Meshy's pricing table (seed 002: Meshy-6 / current 20 a shape, 30 textured image to 3D,
  older models 5 / 15); meshy-mcp-server v0.6.0 constants (Meshy-6 Lite 5 mesh / 15 textured,
  Smart Topology Meshy-T2 5, nano-banana-2-1 4); the Text to Image page (image models). A price
  not published stays ``None`` and is never guessed.
- Which task kinds take a model: the v1 routes this client calls today (seeds 000/003/004) and
  API v2's ``texture_model`` on textured generation and retexture; models documented only on
  v2 pages (Smart Topology ``ai_model``, some image models) have no kinds yet.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Role = Literal["3d", "texture", "image"]

TEXT_TO_3D = ("text-to-3d-preview", "text-to-3d-refine")
IMAGE_TO_3D = ("image-to-3d", "multi-image-to-3d")
MESH_KINDS = (*TEXT_TO_3D, *IMAGE_TO_3D)
# What takes a texture model (API v2's ``texture_model``): a textured generation and retexture.
TEXTURED_KINDS = ("text-to-3d-refine", *IMAGE_TO_3D, "retexture")
IMAGE_KINDS = ("text-to-image", "image-to-image")
# The sidebar's name for each option that picks a model: the label an artist sees.
FIELD_LABELS = {("ai_model", "3d"): "AI Model", ("ai_model", "texture"): "AI Model",
                ("ai_model", "image"): "Model", ("model_type", "3d"): "Model Type",
                ("texture_model", "texture"): "Texture Model"}

_pinned_day: list[date] = []  # process-wide, so worker threads see the same day


@contextmanager
def as_of(day: date) -> Iterator[None]:
    """Decide retirement as if today were ``day`` (tests pin the date; nothing else should)."""
    _pinned_day.append(day)
    try:
        yield
    finally:
        _pinned_day.pop()


def today() -> date:
    """The date retirement is decided on: the pinned one, else the computer's date."""
    return _pinned_day[-1] if _pinned_day else date.today()


@dataclass(frozen=True)
class Model:
    """One model as one request option value (``option`` = ``value``) in one role.

    ``prices`` holds published credits: ``shape`` (text to 3D preview), ``untextured`` /
    ``textured`` (image to 3D), or a task kind (image models). ``unpublished`` marks a model
    whose own price Meshy has not published (the base price is then shown with a note).
    """

    value: str
    label: str
    role: Role
    kinds: tuple[str, ...]
    description: str
    option: str = "ai_model"
    prices: Mapping[str, int] = field(default_factory=dict)
    unpublished: bool = False
    deprecated: date | None = None
    retires: date | None = None
    replacement: str = ""  # what to use instead, as the artist reads it
    successor: str = ""  # the value a saved choice of this model becomes once it is retired

    @property
    def field_label(self) -> str:
        return FIELD_LABELS[(self.option, self.role)]

    def is_retired(self, day: date | None = None) -> bool:
        return self.retires is not None and (day or today()) >= self.retires

    def is_deprecated(self, day: date | None = None) -> bool:
        """Announced for retirement and still working."""
        day = day or today()
        return (not self.is_retired(day)
                and (self.retires is not None
                     or (self.deprecated is not None and day >= self.deprecated)))

    def retirement_note(self, day: date | None = None) -> str:
        """'retires on 2026-12-31' for a deprecated model, else ''."""
        if self.is_deprecated(day) and self.retires is not None:
            return f"retires on {self.retires.isoformat()}"
        return ""

    def retired_sentence(self) -> str:
        """Why a request with this model is refused, in the sidebar's words."""
        when = self.retires.isoformat() if self.retires else "an earlier date"
        use = f"; use {self.replacement}" if self.replacement else ""
        return f"{self.label} ({self.field_label}) was retired on {when}{use}."


_SHAPE_CURRENT = {"shape": 20, "untextured": 20, "textured": 30}  # seed 002 (Meshy-6 prices)
_SHAPE_OLDER = {"shape": 5, "untextured": 5, "textured": 15}  # seed 002 (Meshy-5 and older)
_D = date.fromisoformat

MODELS: tuple[Model, ...] = (
    # --- 3D generation (ai_model on text / image / multi-image to 3D, and v1 retexture) -------
    Model("latest", "Latest", "3d", (*MESH_KINDS, "retexture"),
          "Meshy's newest model (Meshy-7.1 today): the most detail", prices=_SHAPE_CURRENT),
    Model("meshy-7.1", "Meshy-7.1", "3d", MESH_KINDS,
          "Pin Meshy-7.1 (what Latest is today), so results stay consistent when Latest moves",
          prices=_SHAPE_CURRENT),
    Model("meshy-7", "Meshy-7", "3d", IMAGE_TO_3D,
          "The previous model; as a 3D model it is being retired (price not published)",
          prices=_SHAPE_CURRENT, unpublished=True, deprecated=_D("2026-09-18"),
          retires=_D("2026-12-31"), replacement="Meshy-7.1 or Latest", successor="meshy-7.1"),
    Model("meshy-6", "Meshy-6", "3d", (*MESH_KINDS, "retexture"),
          "Pin Meshy-6, so results stay consistent when Meshy updates Latest",
          prices=_SHAPE_CURRENT),
    Model("meshy-6-lite", "Meshy-6 Lite", "3d", (*TEXT_TO_3D, "image-to-3d"),
          "A faster, cheaper Meshy-6 with 2K textures", prices=_SHAPE_OLDER),
    Model("meshy-t2.5", "Meshy-T2.5", "3d", (),
          "Smart Topology as an AI model (API v2; v1 uses Model Type Smart Topology)",
          unpublished=True),
    Model("meshy-t2", "Meshy-T2", "3d", (),
          "Smart Topology as an AI model (API v2; v1 uses Model Type Smart Topology)",
          prices={"shape": 5}),
    Model("meshy-5", "Meshy-5", "3d", (*MESH_KINDS, "retexture"),
          "The older model: less detail, cheaper", prices=_SHAPE_OLDER,
          deprecated=_D("2026-09-11"), retires=_D("2026-10-10"), replacement="Meshy-6 or Latest",
          successor="meshy-6"),
    Model("meshy-4", "Meshy-4", "3d", (*MESH_KINDS, "retexture"), "An old model",
          unpublished=True, retires=_D("2026-03-20"), replacement="Meshy-6 or Latest",
          successor="meshy-6"),
    # --- Model type (v1's model_type; v2 names them as AI models) ----------------------------
    Model("standard", "Standard", "3d", MESH_KINDS,
          "A detailed, high-resolution model", option="model_type"),
    Model("smart-topology", "Smart Topology", "3d", MESH_KINDS,
          "Clean, artist-style topology with 100 to 15,000 polygons (set Polycount in that "
          "range; price not published)", option="model_type", unpublished=True),
    Model("lowpoly", "Low-poly", "3d", MESH_KINDS,
          "A clean low-poly model for games and stylised scenes", option="model_type",
          prices=_SHAPE_CURRENT, deprecated=_D("2026-07-13"), retires=_D("2026-10-30"),
          replacement="Smart Topology", successor="smart-topology"),
    Model("meshy-t1", "Meshy-T1", "3d", (), "Low-poly as an AI model (API v2)",
          deprecated=_D("2026-07-13"), retires=_D("2026-10-30"), replacement="Meshy-T2",
          successor="meshy-t2"),
    # --- Texture models (v1 retexture's ai_model; v2 texture_model) --------------------------
    Model("meshy-7", "Meshy-7", "texture", ("retexture",),
          "Meshy-7 paints the texture (also multi-view retexture)"),
    # v2's texture_model on every textured kind (multi-image to 3D takes Meshy-7 and Meshy-N1
    # only; Text to 3D's list is unverified and assumed the same as Image to 3D's).
    Model("meshy-7", "Meshy-7", "texture", TEXTURED_KINDS,
          "Meshy-7 paints the texture", option="texture_model"),
    Model("meshy-n1", "Meshy-N1", "texture", TEXTURED_KINDS,
          "Meshy-N1 paints the texture: models up to 7,999,999 triangles",
          option="texture_model"),
    Model("meshy-6-lite", "Meshy-6 Lite", "texture",
          ("text-to-3d-refine", "image-to-3d", "retexture"),
          "Meshy-6 Lite paints 2K textures", option="texture_model"),
    # --- Image models (text to image, image to image) ----------------------------------------
    Model("nano-banana", "Nano Banana", "image", IMAGE_KINDS, "Fast and cheap",
          prices={"text-to-image": 3, "image-to-image": 3}),
    Model("nano-banana-2-1", "Nano Banana 2.1", "image", IMAGE_KINDS, "Cheaper than Nano "
          "Banana 2", prices={"text-to-image": 4, "image-to-image": 4}),
    Model("nano-banana-2", "Nano Banana 2", "image", IMAGE_KINDS, "Better detail",
          prices={"text-to-image": 6, "image-to-image": 6}),
    Model("nano-banana-pro", "Nano Banana Pro", "image", IMAGE_KINDS,
          "The most faithful to the prompt (Pro plan or higher)",
          prices={"text-to-image": 9, "image-to-image": 9}),
    Model("gpt-image-2", "GPT Image 2", "image", IMAGE_KINDS, "OpenAI's image model",
          prices={"text-to-image": 9, "image-to-image": 12}),
    *(Model(name, label, "image", (), "Listed on API v2's Text to Image page only",
            unpublished=True)
      for name, label in (("nano-banana-2-lite", "Nano Banana 2 Lite"),
                          ("gpt-image-2-5-flare", "GPT Image 2.5 Flare"),
                          ("gpt-image-2-5-sunburst", "GPT Image 2.5 Sunburst"),
                          ("gpt-image-2-6-flare", "GPT Image 2.6 Flare"),
                          ("gpt-image-2-6-sunburst", "GPT Image 2.6 Sunburst"))),
)


def for_kind(kind: str, option: str = "ai_model") -> tuple[Model, ...]:
    """Every model ``kind`` takes in ``option`` (retired ones included), in the table's order."""
    return tuple(m for m in MODELS if kind in m.kinds and m.option == option)


def offered(kind: str, option: str = "ai_model", day: date | None = None) -> tuple[Model, ...]:
    """The models an artist may choose for ``kind`` on ``day``: never a retired one."""
    return tuple(m for m in for_kind(kind, option) if not m.is_retired(day))


def find(kind: str, value: object, option: str = "ai_model") -> Model | None:
    """The model ``kind`` takes under that value, or None when it takes no such model."""
    return next((m for m in for_kind(kind, option) if m.value == value), None)


def known_values(option: str = "ai_model") -> frozenset[str]:
    """Every value the catalogue names for ``option``, whatever its kinds and status."""
    return frozenset(m.value for m in MODELS if m.option == option)


def by_value(value: str, option: str = "ai_model") -> tuple[Model, ...]:
    """Every entry with this value (one per role: Meshy-7 is a 3D and a texture model)."""
    return tuple(m for m in MODELS if m.value == value and m.option == option)
