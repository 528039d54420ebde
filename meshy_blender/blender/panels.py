"""3D Viewport sidebar (N panel), tab "Meshy": the panels in the order artists meet them."""

from __future__ import annotations

from .features.account.panel import MESHY_PT_account
from .features.concept.panel import MESHY_PT_concept
from .features.edit.panel import MESHY_PT_selected
from .features.generate.panel import MESHY_PT_generate
from .features.tasks.panel import MESHY_PT_recent, MESHY_PT_resume, MESHY_PT_tasks
from .ui.panel_base import CATEGORY

# Parents before their sub-panels (Tasks lives inside Generate; Resume and Recent inside Tasks).
CLASSES = (MESHY_PT_account, MESHY_PT_generate, MESHY_PT_tasks, MESHY_PT_resume,
           MESHY_PT_recent, MESHY_PT_selected, MESHY_PT_concept)

__all__ = ["CATEGORY", "CLASSES", "MESHY_PT_account", "MESHY_PT_concept", "MESHY_PT_generate",
           "MESHY_PT_recent", "MESHY_PT_resume", "MESHY_PT_selected", "MESHY_PT_tasks"]
