"""Reading units: the tree as nested nodes, ready for a template."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from .models import Unit


@dataclass
class Node:
    unit: Unit
    children: list[Node] = field(default_factory=list)


def unit_tree(*, root: Unit | None = None) -> list[Node]:
    """The current units (not merged away) as a forest, with procedure counts."""
    units = Unit.objects.filter(valid_to__isnull=True).annotate(n_services=Count("services"))
    if root is not None:
        units = units.filter(path__startswith=root.path)
    nodes = {u.pk: Node(u) for u in units.order_by("depth", "kind", "name")}
    forest: list[Node] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else forest).append(node)
    return forest
