"""Each process renders as an SVG diagram (SYS-1)."""

from __future__ import annotations

from defusedxml import ElementTree

from certgov.bootstrap import load_processes
from certgov.workflow.diagram import render_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_every_shipped_process_renders_as_well_formed_svg() -> None:
    for process in load_processes().values():
        root = ElementTree.fromstring(render_svg(process))
        groups = root.findall(f"{SVG}g")
        states = {g.get("data-name") for g in groups if g.get("class") == "state"}
        transitions = {g.get("data-name") for g in groups if g.get("class") == "transition"}
        assert states == set(process.states)
        assert transitions == set(process.transitions)
