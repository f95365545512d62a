"""The floor for publishing: an empty workflow, started on the same Temporal server.
Declared in a module of its own (Temporal's sandbox refuses ``__main__``, and imports
nothing heavy, as a workflow module should)."""

from __future__ import annotations

from temporalio import workflow


@workflow.defn(name="BenchEmpty")
class EmptyWorkflow:
    @workflow.run
    async def run(self) -> None:
        return None
