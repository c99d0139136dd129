"""Report call events to the billing engine with the official Temporal Python SDK.

The Python twin of docs/examples/go-sender: one event by signal-with-start (``callCompleted``),
then a batch by update-with-start (``recordCalls``), then the ``usage`` query; prints what it
learned as one JSON object. The contract it follows is docs/api.md.

Not run by this project's tests: the engine's toolchain is Node.js (and Go for the Go example),
and the test machines have no Python Temporal SDK and install nothing from PyPI. A unit test
(test/docs/python-example.test.ts) checks that this file parses and uses the contract's names;
the Go example, which the tests do run, sends the same messages.

    pip install temporalio   # 1.9 or newer (update-with-start)
    python sender.py --address 127.0.0.1:7233 --task-queue billing --account acme
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError

# The names of the contract (docs/api.md, "At a glance").
WORKFLOW_TYPE = "accountBilling"
SIGNAL_NAME = "callCompleted"
UPDATE_NAME = "recordCalls"
QUERY_NAME = "usage"


def workflow_id(account_id: str) -> str:
    return f"billing-{account_id}"


def instant(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds, as the engine writes instants."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )


def completed_call(account_id: str, call_id: str, ago: timedelta, seconds: int) -> dict[str, Any]:
    """An inbound call answered ``ago`` before now that lasted ``seconds``."""
    answered = datetime.now(timezone.utc) - ago
    return {
        "callId": call_id,
        "accountId": account_id,
        "direction": "inbound",
        "status": "completed",
        "answeredAt": instant(answered),
        "endedAt": instant(answered + timedelta(seconds=seconds)),
        "handoffAt": None,
        "holdSeconds": 0,
        "systemSeconds": 0,
        "parentCallId": None,
    }


async def send_call_event(client: Client, task_queue: str, event: dict[str, Any]) -> str:
    """Signal-with-start, fire and forget: no exception means Temporal recorded the signal."""
    handle = await client.start_workflow(
        WORKFLOW_TYPE,
        {"accountId": event["accountId"]},
        id=workflow_id(event["accountId"]),
        task_queue=task_queue,
        start_signal=SIGNAL_NAME,
        start_signal_args=[event],
    )
    return handle.result_run_id or ""


async def record_calls(
    client: Client, task_queue: str, account_id: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """Update-with-start with up to 500 events; one outcome per event, in order.

    A run about to continue as new refuses the batch with ContinuingAsNewError (nothing was
    recorded), so the same update is sent again.
    """
    for attempt in range(1, 21):
        start = WithStartWorkflowOperation(
            WORKFLOW_TYPE,
            {"accountId": account_id},
            id=workflow_id(account_id),
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        try:
            return await client.execute_update_with_start_workflow(
                UPDATE_NAME, {"events": events}, start_workflow_operation=start
            )
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            retry = isinstance(cause, ApplicationError) and cause.type == "ContinuingAsNewError"
            if not retry or attempt == 20:
                raise
            await asyncio.sleep(0.05)
    raise RuntimeError("unreachable")


async def usage(client: Client, account_id: str) -> dict[str, Any]:
    """The usage query; fails with AccountNotLoadedError while a new run is starting."""
    return await client.get_workflow_handle(workflow_id(account_id)).query(QUERY_NAME)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="127.0.0.1:7233")
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--task-queue", default="billing")
    parser.add_argument("--account", required=True, help="an existing account id")
    parser.add_argument("--call-prefix", default="py")
    args = parser.parse_args()

    client = await Client.connect(args.address, namespace=args.namespace)
    account, prefix = args.account, args.call_prefix

    signaled = completed_call(account, f"{prefix}-signal-1", timedelta(minutes=30), 95)
    run_id = await send_call_event(client, args.task_queue, signaled)

    answered = datetime.now(timezone.utc) - timedelta(minutes=20)
    ended_too_early = completed_call(account, f"{prefix}-update-3", timedelta(minutes=20), 60)
    ended_too_early["endedAt"] = instant(answered - timedelta(minutes=1))
    batch = [
        completed_call(account, f"{prefix}-update-1", timedelta(minutes=25), 125),
        signaled,  # the same call again: a duplicate, counted once
        ended_too_early,  # ended before it was answered: rejected
        {
            "callId": f"{prefix}-update-4",
            "accountId": account,
            "direction": "outbound",
            "status": "no-answer",
            "endedAt": instant(datetime.now(timezone.utc) - timedelta(minutes=10)),
        },
    ]
    outcomes = await record_calls(client, args.task_queue, account, batch)

    reply = await usage(client, account)
    # Amounts are decimal strings of integers: parse them as int, never as float.
    used = int(reply["cycle"]["usedMillicredits"])
    print(
        json.dumps(
            {
                "workflowId": workflow_id(account),
                "signal": {"callId": signaled["callId"], "runId": run_id},
                "recordCalls": outcomes,
                "usedMillicredits": used,
                "usage": reply,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
