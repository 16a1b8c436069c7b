"""The agents stand aside while an offset commit runs (streams/commit_gate.py)."""

from __future__ import annotations

import asyncio

from copydesk.streams.commit_gate import CommitGate
from copydesk.streams.metrics import COMMIT


def commits_observed() -> float:
    return next(s.value for s in next(iter(COMMIT.collect())).samples if s.name.endswith("_count"))


def test_an_agent_waits_for_a_running_commit_and_goes_on_when_it_ends() -> None:
    async def scenario() -> list[str]:
        gate = CommitGate(max_wait=5)
        steps: list[str] = []
        state = gate.on_commit_initiated(consumer=None)

        async def agent() -> None:
            await gate.pass_through()
            steps.append("agent")

        waiting = asyncio.ensure_future(agent())
        for _ in range(10):
            await asyncio.sleep(0)
        steps.append("commit ended")
        gate.on_commit_completed(consumer=None, state=state)
        await waiting
        return steps

    before = commits_observed()
    assert asyncio.run(scenario()) == ["commit ended", "agent"]
    assert commits_observed() == before + 1


def test_with_no_commit_running_an_agent_only_gives_the_loop_a_turn() -> None:
    async def scenario() -> list[str]:
        gate = CommitGate(max_wait=5)
        steps: list[str] = []

        async def other() -> None:
            steps.append("other task")

        task = asyncio.ensure_future(other())
        await gate.pass_through()
        steps.append("agent")
        await task
        return steps

    assert asyncio.run(scenario()) == ["other task", "agent"]


def test_a_commit_that_never_reports_its_end_holds_the_agents_at_most_max_wait() -> None:
    async def scenario() -> float:
        gate = CommitGate(max_wait=0.2)
        gate.on_commit_initiated(consumer=None)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(gate.pass_through(), 5)
        return loop.time() - started

    assert 0.15 < asyncio.run(scenario()) < 5
