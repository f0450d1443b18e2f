"""Loops that never wait for the person.

A conversation only pauses at an `ask`. A cycle of says, checks, actions, calls and gotos
would spin without the person ever being able to answer (the engine stops it at run
time with an apology). Cycles can cross flows: a `call` or `goto` jumps to the other
flow's start, and a `call` comes back to its `next` when the called flow can finish
without asking anything.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from bot.engine.model import Ask, Call, Flow, Goto
from bot.flowdef.flowfile import FlowFile
from bot.flowdef.graph import successors

Node = tuple[str, str]  # (flow id, step id)


def quick_flows(flows: Mapping[str, Flow]) -> set[str]:
    """Flows that can run from start to end without asking anything."""
    quick: set[str] = set()
    changed = True
    while changed:  # grows to a fixpoint: each round may unlock flows that call others
        changed = False
        for flow_id, flow in flows.items():
            if flow_id not in quick and _ends_without_asking(flow, flows, quick):
                quick.add(flow_id)
                changed = True
    return quick


def _ends_without_asking(flow: Flow, flows: Mapping[str, Flow], quick: set[str]) -> bool:
    seen: set[str] = set()
    queue = deque([flow.start])
    while queue:
        step_id = queue.popleft()
        step = flow.steps.get(step_id)
        if step_id in seen or step is None or isinstance(step, Ask):
            continue
        seen.add(step_id)
        if isinstance(step, Goto):
            if step.flow in quick:
                return True
            continue
        if isinstance(step, Call) and step.flow not in quick:
            continue
        targets = successors(step)
        if None in targets or not targets:
            return True
        queue.extend(t for t in targets if t is not None)
    return False


def _edges(flows: Mapping[str, Flow], quick: set[str]) -> dict[Node, list[Node]]:
    """Moves between steps that happen without waiting for the person."""
    edges: dict[Node, list[Node]] = {}
    for flow_id, flow in flows.items():
        for step_id, step in flow.steps.items():
            if isinstance(step, Ask):
                continue
            targets = [(flow_id, t) for t in successors(step) if t is not None]
            if isinstance(step, Call | Goto) and step.flow in flows:
                targets.append((step.flow, flows[step.flow].start))
                if isinstance(step, Call) and step.flow not in quick:
                    targets = targets[-1:]  # the call only comes back after a question
            # Questions break loops, so they are left out of this graph altogether.
            edges[(flow_id, step_id)] = [
                (f, s) for f, s in targets if not isinstance(flows[f].steps.get(s), Ask | None)
            ]
    return edges


def _cycles(edges: dict[Node, list[Node]]) -> list[list[Node]]:
    """Strongly connected groups of nodes that contain a cycle (Tarjan, without recursion)."""
    index: dict[Node, int] = {}
    low: dict[Node, int] = {}
    stack: list[Node] = []
    on_stack: set[Node] = set()
    groups: list[list[Node]] = []
    for root in edges:
        if root in index:
            continue
        work: list[tuple[Node, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group: list[Node] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in edges.get(node, []):
                    groups.append(group)
    return groups


def _path_round(group: list[Node], first: Node, edges: dict[Node, list[Node]]) -> list[Node]:
    """A shortest way from `first` back to itself inside `group`."""
    members = set(group)
    came_from: dict[Node, Node] = {}
    queue = deque([first])
    while queue:
        node = queue.popleft()
        for target in edges.get(node, []):
            if target == first:
                path = [node]
                while path[-1] != first:
                    path.append(came_from[path[-1]])
                return [first, *reversed(path[:-1]), first]
            if target in members and target not in came_from:
                came_from[target] = node
                queue.append(target)
    return [first, first]


def check_loops(files: Mapping[str, FlowFile]) -> None:
    """Report each loop without a question once, on its first step in file order."""
    flows = {flow_id: file.flow for flow_id, file in files.items() if file.flow is not None}
    edges = _edges(flows, quick_flows(flows))
    lines = {flow_id: files[flow_id].step_lines() for flow_id in flows}
    for group in _cycles(edges):
        first = min(group, key=lambda node: (files[node[0]].path, lines[node[0]][node[1]]))
        path = _path_round(group, first, edges)
        shown = " → ".join(step if flow == first[0] else f"{flow}:{step}" for flow, step in path)
        file = files[first[0]]
        message = f"this loop never waits for the person: {shown}"
        file.found.error(lines[first[0]][first[1]], message, "busy_loop", first[1])
