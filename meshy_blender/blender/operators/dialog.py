"""Menu entries open an operator as a dialog: its main options and the price, then OK sends.

The same operators run at once from the sidebar's buttons (the sidebar already shows every
option and the price), so the dialog is switched on by a hidden ``dialog`` property that only
the menus set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpy.props import BoolProperty

if TYPE_CHECKING:
    from ...jobs.request import JobRequest
    from ..core import config


DIALOG_WIDTH = 340


class MenuDialog:
    """Mixin for operators offered in menus: ``dialog_request`` builds what would be sent (for
    the price), ``draw_dialog`` the main options."""

    dialog: BoolProperty(  # type: ignore[valid-type]
        name="Dialog", description="Ask for the main options and show the price before sending "
        "(menus)", default=False, options={"SKIP_SAVE", "HIDDEN"})

    def invoke(self, context, event):  # Operator.invoke's own (untyped) signature
        if self.dialog:  # its price line says when the price is not published
            return context.window_manager.invoke_props_dialog(self, width=DIALOG_WIDTH)
        return confirm_or_run(self, context, event)

    def draw(self, context: Any) -> None:
        from ..core import config
        layout = self.layout  # type: ignore[attr-defined]
        layout.use_property_split = True
        layout.use_property_decorate = False
        self.draw_dialog(layout, context)
        settings = config.resolve(context)
        draw_price(layout, self.dialog_request(context, settings), settings,
                   self.dialog_copies(context))

    def draw_dialog(self, layout: Any, context: Any) -> None:
        raise NotImplementedError

    def dialog_request(self, context: Any, settings: config.Settings) -> JobRequest:
        raise NotImplementedError

    def dialog_copies(self, context: Any) -> int:
        """How many times OK sends the request (candidates); priced as a whole."""
        return 1


def draw_price(layout: Any, req: JobRequest, settings: config.Settings,
               copies: int = 1) -> None:
    """The price line of a dialog: "Costs 30 credits", or what to fix first."""
    from ...client.pricing import PRICE_NOT_PUBLISHED
    from ..core import costs
    est = costs.estimate(req, settings.policy if settings.policy_error is None else None,
                         copies)
    if est.error:
        layout.label(text=est.error, icon="INFO")
    elif est.credits is not None and est.unpublished:
        layout.label(text=f"Costs at least {est.credits:,} credits ({PRICE_NOT_PUBLISHED}: "
                     f"{est.unpublished})", icon="FUND")
    elif est.credits is not None:
        layout.label(text=f"Costs {est.credits:,} credits", icon="FUND")


class ConfirmUnpublished:
    """Mixin for operators without a menu dialog: a click whose price Meshy does not publish
    asks first (see :func:`confirm_or_run`)."""

    def invoke(self, context, event):  # Operator.invoke's own (untyped) signature
        return confirm_or_run(self, context, event)


def confirm_or_run(op: Any, context: Any, event: Any) -> set[str]:
    """Run ``op`` at once, or, when Meshy publishes no price for what it would send, open a
    confirmation naming why, instead of spending an unknown amount silently."""
    from ..core import config
    settings = config.resolve(context)
    message = unpublished_message(op.dialog_request(context, settings), settings)
    if message is None:
        return op.execute(context)
    try:
        return context.window_manager.invoke_confirm(op, event, title="Price not published",
                                                     message=message, confirm_text="Send")
    except TypeError:  # a Blender whose confirmation takes no text: the plain OK box
        return context.window_manager.invoke_confirm(op, event)


def unpublished_message(req: JobRequest, settings: config.Settings) -> str | None:
    """The confirmation an artist answers before a click whose price Meshy does not publish
    (None when the price is published, or the request cannot be priced at all)."""
    from ..core import costs
    est = costs.estimate(req, settings.policy if settings.policy_error is None else None)
    if est.error or not est.unpublished:
        return None
    return (f"Meshy publishes no price for {est.unpublished}; it costs at least "
            f"{est.credits} credits. Send it anyway?")
