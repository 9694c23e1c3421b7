"""Reading units: the tree as nested nodes, ready for a template."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from hailong.core.text import vietnamese_sort_key

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
    ordered = sorted(units, key=lambda u: (u.depth, u.kind, unit_name_key(u)))
    nodes = {u.pk: Node(u) for u in ordered}
    forest: list[Node] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else forest).append(node)
    return forest


def unit_name_key(unit: Unit) -> tuple[object, ...]:
    """Sort key of a unit by its whole name in Vietnamese dictionary order, then its code.

    The kind's prefix ("Xã", "Phường", "Sở") stays in the key: lists show the whole name, a
    ``<select>`` jumps to an option by its first letters, and in a list of one kind every
    name starts with the same prefix anyway.
    """
    return (vietnamese_sort_key(unit.name), unit.code)


def units_by_name(units: Iterable[Unit]) -> list[Unit]:
    """The units in Vietnamese alphabetical order of their names (``core.text``)."""
    return sorted(units, key=unit_name_key)


def units_by_name_queryset(
    units: QuerySet[Unit], *, key: Callable[[Unit], Any] = unit_name_key
) -> QuerySet[Unit]:
    """The same units as a queryset in Vietnamese alphabetical order (for a form's choices).

    Databases collate by code point (or by a locale that need not be Vietnamese), so the order is
    made in Python (``key``, by default the name) and handed back as
    ``CASE pk WHEN … THEN position``: a few hundred units.
    """
    pks = [u.pk for u in sorted(units, key=key)]
    if not pks:
        return units
    position = Case(
        *[When(pk=pk, then=Value(i)) for i, pk in enumerate(pks)], output_field=IntegerField()
    )
    return units.order_by(position, "pk")
