"""Run Rasa's inference graphs (NLU, policies) node by node in a fixed order, without dask.

``DaskGraphRunner.run`` builds the minimal schema and a dask graph of the targets, and hands it to
``dask.get`` (the synchronous scheduler) on every run: once per message for NLU and once per
predicted action for the policies, 3-4 runs a turn. Dask orders the tasks, tracks their
dependents and state and pops results, and Rasa formats its debug line (the inputs, tracker
included) whether or not debug logging is on. With 50 learners at once that overhead was 9% of the
Rasa server's profiled time (cProfile, 1,200 turns: ``get_async`` 16.9 s around 14.5 s in the
nodes themselves, plus 0.2 s in ``run``), for graphs of 1-10 nodes in a chain.

Here the schema of each set of targets and a topological order of its nodes are worked out once
(the schema of a loaded runner does not change), and each run calls the same ``GraphNode`` objects
with the same arguments dask passes: the ``(name, value)`` pair of each node a node needs, in the
order of its ``needs``, an input as ``(input name, value)``. The result is the same dict of
``(name, value)`` per target, errors are Rasa's (the node's own exception, a ``RuntimeError`` as
``GraphRunError``, an input named like a node refused), and the debug line is written, as before,
when debug logging is on. Runs whose inputs replace one of the graph's own nodes (which dask
allows and Rasa never does) go to Rasa's runner.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

_rasa_run = DaskGraphRunner.run
_logger = logging.getLogger(DaskGraphRunner.__module__)


def execution_order(schema: GraphSchema) -> list[str]:
    """The nodes of ``schema``, each after every node of the schema it needs (depth first)."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise GraphRunError(f"The graph has a cycle through '{name}'.")
        state[name] = 1
        for need in schema.nodes[name].needs.values():
            if need in schema.nodes:
                visit(need)
        state[name] = 2
        order.append(name)

    for name in schema.nodes:
        visit(name)
    return order


def _plan(runner: DaskGraphRunner, targets: tuple[str, ...]) -> tuple[GraphSchema, list[str]]:
    plans = runner.__dict__.setdefault("_speedups_plans", {})
    plan = plans.get(targets)
    if plan is None:
        schema = runner._graph_schema.minimal_graph_schema(list(targets))
        plan = plans[targets] = (schema, execution_order(schema))
    return plan


def run(self: DaskGraphRunner, inputs: dict[str, Any] | None = None,
        targets: list[str] | None = None) -> dict[str, Any]:
    """``DaskGraphRunner.run`` without dask (see the module docstring)."""
    run_targets = targets if targets else self._graph_schema.target_names
    schema, order = _plan(self, tuple(run_targets))
    if inputs and any(name in schema.nodes for name in inputs):
        return _rasa_run(self, inputs, targets)

    results: dict[str, Any] = {}
    if inputs:
        for input_name, input_value in inputs.items():
            if isinstance(input_value, str) and (input_value in schema.nodes
                                                   or input_value in results):
                raise GraphRunError(
                    f"Input value '{input_value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            results[input_name] = (input_name, input_value)

    if _logger.isEnabledFor(logging.DEBUG):
        _logger.debug(
            f"Running graph with inputs: {inputs}, targets: {targets} "
            f"and {self._execution_context}."
        )

    nodes = self._instantiated_nodes
    try:
        for name in order:
            needs = schema.nodes[name].needs.values()
            # dask passes a need it has no value for as its name
            results[name] = nodes[name](*(results.get(need, need) for need in needs))
        return dict(results.get(target, target) for target in run_targets)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


DaskGraphRunner.run = run  # type: ignore[method-assign]
