"""Account operators: balance refresh, Test connection, and loading the animation library.

All three are HTTP reads, so they run on a worker (calls.CALLS); the sidebar shows the
outcome when it arrives. Test connection reports its result as an operator report: in the UI a
short modal waits for the worker without blocking Blender; in scripts ``execute`` waits for it.
"""

from __future__ import annotations

import bpy

TEST_TIMEOUT_S = 40.0


class MESHY_OT_refresh_balance(bpy.types.Operator):
    """Read your Meshy credit balance (in the background)"""

    bl_idname = "meshy.refresh_balance"
    bl_label = "Meshy: Refresh Balance"

    def execute(self, context):
        from ...core import account, submit
        rt = submit.ready_runtime(self, context)
        if rt is None:
            return {"CANCELLED"}
        account.start_balance(rt.client)
        return {"FINISHED"}


class MESHY_OT_test_connection(bpy.types.Operator):
    """Check the key, address and network by reading your balance"""

    bl_idname = "meshy.test_connection"
    bl_label = "Meshy: Test Connection"

    _timer = None
    _waited = 0.0

    def execute(self, context):
        from ...core import account, calls, submit
        rt = submit.ready_runtime(self, context)
        if rt is None:
            return {"CANCELLED"}
        account.start_balance(rt.client)
        return self._report(calls.CALLS.wait(account.BALANCE_CALL, timeout=TEST_TIMEOUT_S))

    def invoke(self, context, event):
        from ...core import account, submit
        if bpy.app.background or context.window is None:
            return self.execute(context)
        rt = submit.ready_runtime(self, context)
        if rt is None:
            return {"CANCELLED"}
        account.start_balance(rt.client)
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.1, window=context.window)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        from ...core import account, calls, runtime
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        rt = runtime.current_runtime()
        if rt is not None:
            rt.pump.tick()  # the one delivery channel: outcomes and redraws come through here
        self._waited += 0.1
        if calls.CALLS.running(account.BALANCE_CALL) and self._waited < TEST_TIMEOUT_S:
            return {"RUNNING_MODAL"}
        context.window_manager.event_timer_remove(self._timer)
        outcome = None if calls.CALLS.running(account.BALANCE_CALL) else \
            calls.CALLS.outcomes.get(account.BALANCE_CALL)
        return self._report(outcome)

    def _report(self, outcome):
        from ...core import account
        level, message = account.connection_report(outcome)
        if level == "INFO":
            self.report({"INFO"}, message)
            return {"FINISHED"}
        self.report({"ERROR"}, message)
        return {"CANCELLED"}


class MESHY_OT_load_animation_library(bpy.types.Operator):
    """Load Meshy's animation library into the picker (free; read in the background)"""

    bl_idname = "meshy.load_animation_library"
    bl_label = "Meshy: Load Animation Library"

    def execute(self, context):
        from ...core import library, submit
        rt = submit.ready_runtime(self, context)
        if rt is None:
            return {"CANCELLED"}
        library.fetch(rt.client)
        return {"FINISHED"}


CLASSES = (MESHY_OT_refresh_balance, MESHY_OT_test_connection, MESHY_OT_load_animation_library)
