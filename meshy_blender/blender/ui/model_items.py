"""Sidebar model menus built from the model catalogue: a retired model is never offered.

Blender saves an enum as its number, so every model keeps one number for good: the position it
had in the menus before the catalogue (old .blend files), else a number derived from its name.
A .blend saved with a model that has since retired reads back as that model's replacement, so
the menu and the price stay drawable and the next request uses a model Meshy still runs.
"""

from __future__ import annotations

import zlib
from datetime import date
from typing import Any

from bpy.props import EnumProperty

from ...client import model_catalogue
from ...client.model_catalogue import Model

# Numbers the menus had before they were built from the catalogue (saved in old .blend files).
AI_MODEL_NUMBERS = {"latest": 0, "meshy-6": 1, "meshy-5": 2}
MODEL_TYPE_NUMBERS = {"standard": 0, "lowpoly": 1, "smart-topology": 2}
IMAGE_MODEL_NUMBERS = {"nano-banana": 0, "nano-banana-2": 1, "nano-banana-pro": 2,
                       "gpt-image-2": 3}


def enum_number(value: str, legacy: dict[str, int]) -> int:
    """The number ``value`` is saved as: its old menu position, else one from its name."""
    if value in legacy:
        return legacy[value]
    return 1000 + zlib.crc32(value.encode()) % 1_000_000


def _price_text(model: Model, kind: str) -> str:
    if model.unpublished or not model.prices:
        return "price not published"
    if model.role == "image":
        t2i, i2i = model.prices.get("text-to-image"), model.prices.get("image-to-image")
        return f"{t2i} credits" + (f"; {i2i} from an image" if i2i != t2i else "")
    key = "shape" if kind.startswith("text-to-3d") else "textured"
    return f"{model.prices[key]} credits a shape" if key in model.prices else ""


def model_items(kind: str, option: str, legacy: dict[str, int],
                day: date | None = None) -> list[tuple[str, str, str, str, int]]:
    """Menu items for the models ``kind`` takes on ``day``: label, tooltip with the price, and
    "retires on DATE" on a deprecated model."""
    items = []
    for model in model_catalogue.offered(kind, option, day):
        label, tip = model.label, model.description
        price = _price_text(model, kind) if kind != "retexture" else ""
        if price and price not in tip:
            tip = f"{tip} ({price})"
        note = model.retirement_note(day)
        if note:
            label = f"{label} ({note})"
            tip = f"{tip}. {note[0].upper()}{note[1:]}; use {model.replacement}"
        items.append((model.value, label, tip, "NONE", enum_number(model.value, legacy)))
    return items


def _reader(key: str, kind: str, option: str, legacy: dict[str, int], default: str,
            unset: Any = None) -> Any:
    """Getter mapping a saved retired (or unknown) model to its successor / the default;
    ``unset(settings)`` gives the value of a file saved before this property existed."""
    def get(self: Any) -> int:
        number = self.get(key)
        if number is None and unset is not None:
            number = enum_number(unset(self), legacy)
        offered = {enum_number(m.value, legacy) for m in model_catalogue.offered(kind, option)}
        if number in offered:
            return int(number)
        for model in model_catalogue.for_kind(kind, option):
            if enum_number(model.value, legacy) == number and model.successor:
                successor = enum_number(model.successor, legacy)
                if successor in offered:
                    return successor
        return enum_number(default, legacy)
    return get


def _writer(key: str) -> Any:
    def set_value(self: Any, number: int) -> None:
        self[key] = number
    return set_value


def model_property(key: str, kind: str, *, option: str = "ai_model",
                   legacy: dict[str, int], default: str, name: str, description: str,
                   unset: Any = None) -> Any:
    """An EnumProperty of the models offered for ``kind``, stored under ``key`` (the
    property's own name, so old files' values are read; ``unset``: what a file saved before
    the property existed reads, from its other settings)."""
    return EnumProperty(name=name, description=description, default=default,
                        items=model_items(kind, option, legacy),
                        get=_reader(key, kind, option, legacy, default, unset),
                        set=_writer(key))
