"""Render a process as an SVG diagram (server-side, no JavaScript): states in columns by
distance from the initial state, transitions as labelled arrows, final states double-bordered,
states that stop a deadline clock marked."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from xml.sax.saxutils import escape

from certgov.workflow.definition import ProcessDef

_BOX_W, _BOX_H, _COL_GAP, _ROW_GAP, _MARGIN = 190, 46, 120, 34, 30


def _layers(process: ProcessDef) -> dict[str, int]:
    depth = {process.initial: 0}
    queue = deque([process.initial])
    while queue:
        state = queue.popleft()
        for t in sorted(process.transitions_from(state), key=lambda t: t.name):
            if t.target not in depth:
                depth[t.target] = depth[state] + 1
                queue.append(t.target)
    for name in process.states:  # unreachable states cannot exist after validation
        depth.setdefault(name, 0)
    return depth


def render_svg(
    process: ProcessDef,
    *,
    current: str | None = None,
    words: Callable[[str], str] | None = None,
) -> str:
    """The process as SVG. ``current`` names the state to highlight (a case's); ``words``
    translates titles for a reader, and then the diagram shows titles only, no codes (the
    transitions' titles as tooltips)."""
    say = words or (lambda text: text)
    depth = _layers(process)
    columns: dict[int, list[str]] = {}
    for name in process.states:
        columns.setdefault(depth[name], []).append(name)
    position: dict[str, tuple[int, int]] = {}
    for col, names in columns.items():
        for row, name in enumerate(names):
            x = _MARGIN + col * (_BOX_W + _COL_GAP)
            y = _MARGIN + 24 + row * (_BOX_H + _ROW_GAP)
            position[name] = (x, y)
    width = _MARGIN * 2 + (max(columns) + 1) * (_BOX_W + _COL_GAP) - _COL_GAP
    height = _MARGIN * 2 + 24 + max(len(v) for v in columns.values()) * (_BOX_H + _ROW_GAP)
    paused = {s for d in process.deadlines for s in d.paused_in}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img" '
        f'aria-label="{escape(say(process.title))}">',
        f"<title>{escape(say(process.title))}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/>'
        "</marker></defs>",
        f'<text x="{_MARGIN}" y="{_MARGIN}" font-size="14" font-weight="bold">'
        f"{escape(say(process.title))}</text>",
    ]
    for t in sorted(process.transitions.values(), key=lambda t: t.name):
        for source in sorted(t.sources):
            sx, sy = position[source]
            tx, ty = position[t.target]
            x1, y1 = float(sx + _BOX_W), sy + _BOX_H / 2
            x2, y2 = float(tx), ty + _BOX_H / 2
            if tx <= sx:  # backward or same-column edge: route below the boxes
                x1, y1 = sx + _BOX_W / 2, sy + _BOX_H
                x2, y2 = tx + _BOX_W / 2, ty + _BOX_H
                mid_y = max(y1, y2) + _ROW_GAP / 2
                path = f"M{x1},{y1} C{x1},{mid_y} {x2},{mid_y} {x2},{y2}"
                lx, ly = (x1 + x2) / 2, mid_y
            else:
                path = f"M{x1},{y1} L{x2},{y2}"
                lx, ly = (x1 + x2) / 2, (y1 + y2) / 2 - 4
            roles = ", ".join(sorted(t.roles))
            tooltip = say(t.title) if words else f"{t.title} ({roles})"
            label = (
                ""
                if words
                else f'<text x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle" fill="#333">'
                f"{escape(t.name)}</text>"
            )
            parts.append(
                f'<g class="transition" data-name="{escape(t.name)}"><title>{escape(tooltip)}'
                f"</title>"
                f'<path d="{path}" fill="none" stroke="#555" marker-end="url(#arrow)"/>'
                f"{label}</g>"
            )
    for name, state in process.states.items():
        x, y = position[name]
        fill = "#e8f0fe" if name == process.initial else ("#fff4e5" if name in paused else "#fff")
        here = name == current
        if here:
            fill = "#fde68a"
        if words:
            subtitle = (
                say("current state") if here else (say("clock stopped") if name in paused else "")
            )
        else:
            subtitle = f"{name}{' · clock stopped' if name in paused else ''}"
        parts.append(
            f'<g class="state{" current" if here else ""}" data-name="{escape(name)}">'
            f'<rect x="{x}" y="{y}" width="{_BOX_W}" '
            f'height="{_BOX_H}" rx="8" fill="{fill}" stroke="{"#b45309" if here else "#222"}" '
            f'stroke-width="{3 if state.final or here else 1}"/>'
            f'<text x="{x + _BOX_W / 2}" y="{y + 20}" text-anchor="middle" font-weight="bold">'
            f"{escape(say(state.title))}</text>"
            f'<text x="{x + _BOX_W / 2}" y="{y + 36}" text-anchor="middle" fill="#666">'
            f"{escape(subtitle)}</text></g>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
