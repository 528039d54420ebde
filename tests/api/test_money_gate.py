"""One money gate: the sidebar, the API, the CLI and batch refuse the same over-budget request
through ``jobs/money_gate.shortfall``, and each plans a request once (``money_gate.plan``) and
sends that plan, in real Blender against the emulator (a refusal creates nothing: its request
log shows no POST)."""

from __future__ import annotations

import json

import pytest

from meshy_blender import api, cli
from meshy_blender.client import errors
from meshy_blender.jobs import model, money_gate

from fixtures.emulator import created_tasks, posts

# A default text to 3D: a 20-credit preview and a 10-credit refine.
PRICE = 30


@pytest.fixture
def gate_calls(monkeypatch):
    """Every (needed, balance) the money gate judged and every request it planned."""
    judged: list[tuple[int | None, int | None]] = []
    planned: list[str] = []
    real_shortfall, real_plan = money_gate.shortfall, money_gate.plan

    def shortfall(needed, balance):
        judged.append((needed, balance))
        return real_shortfall(needed, balance)

    def plan(request, policy):
        planned.append(request.request)
        return real_plan(request, policy)

    monkeypatch.setattr(money_gate, "shortfall", shortfall)
    monkeypatch.setattr(money_gate, "plan", plan)
    return judged, planned


def test_shortfall_refuses_only_a_known_balance_below_the_price():
    assert money_gate.shortfall(30, 29) == "Not enough credits: this costs 30, you have 29"
    assert money_gate.shortfall(30, 30) is None
    assert money_gate.shortfall(30, None) is None  # unread: Meshy's 402 is the judge
    assert money_gate.shortfall(None, 0) is None  # no price: the label says why instead


def test_the_api_cli_and_batch_refuse_through_the_gate_and_plan_once(
        bpy, empty_scene, meshy_env, meshy_key, gate_calls, capfd):
    judged, planned = gate_calls
    meshy_env.set_balance(meshy_key, 25)

    with pytest.raises(errors.InsufficientCreditsError) as short:
        api.text_to_3d("a stool")
    assert (short.value.required, short.value.balance) == (PRICE, 25)
    assert judged == [(PRICE, 25)] and planned == ["text-to-3d"]  # one plan for the request

    code = cli.main(["text-to-3d", "a stool", "--json", "--quiet"])
    data = json.loads(capfd.readouterr().out)
    assert code != 0 and "Not enough Meshy credits" in data["error"]["message"]
    assert judged[-1] == (PRICE, 25) and planned.count("text-to-3d") == 2

    with pytest.raises(errors.InsufficientCreditsError):
        api.batch([{"id": "stool", "prompt": "a stool"}], name="gate")
    assert judged[-1] == (PRICE, 25) and planned.count("text-to-3d") == 3
    assert posts(meshy_env) == []


def test_a_batch_sends_each_row_as_it_was_planned_and_priced(
        bpy, empty_scene, meshy_env, meshy_key, gate_calls):
    judged, planned = gate_calls
    meshy_env.set_balance(meshy_key, 100)
    result = api.batch([{"id": "stool", "prompt": "a stool", "should_texture": False},
                        {"id": "crate", "prompt": "a crate", "should_texture": False}],
                       name="gate-sent", timeout=120)
    assert [r.status for r in result.rows] == ["done", "done"], result.rows
    assert planned == ["text-to-3d", "text-to-3d"], "one plan per row, reused to send it"
    assert judged == [(result.to_pay, 100)]
    assert len(created_tasks(meshy_env)) == 2


def test_the_sidebar_refuses_the_same_request_through_the_gate(bpy, meshy_ui, gate_calls):
    from meshy_blender.blender.core import account, calls

    judged, planned = gate_calls
    calls.CALLS.outcomes[account.BALANCE_CALL] = calls.Outcome(value=25)
    bpy.context.scene.meshy.prompt = "a stool"
    with pytest.raises(RuntimeError, match="Not enough credits: this costs 30, you have 25"):
        bpy.ops.meshy.generate_text()
    assert judged[-1] == (PRICE, 25) and planned == ["text-to-3d"]
    assert meshy_ui.posts() == [] and meshy_ui.jobs() == []


@pytest.mark.parametrize("candidates", [1, 2])
def test_a_sidebar_click_sends_each_request_as_it_was_planned_and_priced(
        bpy, meshy_ui, gate_calls, candidates):
    from meshy_blender.blender.core import account, calls

    judged, planned = gate_calls
    calls.CALLS.outcomes[account.BALANCE_CALL] = calls.Outcome(value=1000)
    s = bpy.context.scene.meshy
    s.prompt = "a stool"
    s.should_texture = False  # candidates are untextured shapes (shape first)
    s.candidates = candidates
    assert bpy.ops.meshy.generate_text() == {"FINISHED"}
    assert planned == ["text-to-3d"] * candidates, "one plan per request, reused to send it"
    jobs = meshy_ui.jobs()
    assert len(jobs) == candidates
    price = jobs[0].estimated_credits
    assert price > 0 and all(j.estimated_credits == price for j in jobs)
    assert judged == [(price * candidates, 1000)], "the whole click is judged at once"
    for job in jobs:
        meshy_ui.run(job)
        assert job.status == model.IMPORTED, job.detail
    assert len(created_tasks(meshy_ui.emulator)) == candidates  # bought once each
