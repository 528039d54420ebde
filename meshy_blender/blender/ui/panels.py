"""3D Viewport sidebar (N panel), tab "Meshy": the panels in the order artists meet them."""

from __future__ import annotations

from .panel_account import MESHY_PT_account
from .panel_base import CATEGORY
from .panel_concept import MESHY_PT_concept
from .panel_generate import MESHY_PT_generate
from .panel_selected import MESHY_PT_selected
from .panel_tasks import MESHY_PT_recent, MESHY_PT_resume, MESHY_PT_tasks

# Parents before their sub-panels (Tasks lives inside Generate; Resume and Recent inside Tasks).
CLASSES = (MESHY_PT_account, MESHY_PT_generate, MESHY_PT_tasks, MESHY_PT_resume,
           MESHY_PT_recent, MESHY_PT_selected, MESHY_PT_concept)

__all__ = ["CATEGORY", "CLASSES", "MESHY_PT_account", "MESHY_PT_concept", "MESHY_PT_generate",
           "MESHY_PT_recent", "MESHY_PT_resume", "MESHY_PT_selected", "MESHY_PT_tasks"]
