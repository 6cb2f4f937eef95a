"""Kleene operators: doctests, and the laws a three-valued logic must keep."""

from __future__ import annotations

import doctest

from hypothesis import given
from hypothesis import strategies as st

from poletype._engine import logic
from poletype._engine.logic import k_and, k_not, k_or

TRI = st.sampled_from([True, False, None])


def test_doctests() -> None:
    """The examples in the module's docstrings hold."""
    assert doctest.testmod(logic).failed == 0


@given(st.lists(TRI, max_size=6))
def test_de_morgan(values: list[bool | None]) -> None:
    """not(all) == any(not)."""
    assert k_not(k_and(values)) == k_or([k_not(v) for v in values])


@given(st.lists(TRI, max_size=6))
def test_agrees_with_boolean_logic_when_known(values: list[bool | None]) -> None:
    """On known values Kleene logic is Boolean logic."""
    known = [v for v in values if v is not None]
    assert k_and(known) == all(known)
    assert k_or(known) == any(known)


@given(st.lists(TRI, max_size=6), st.data())
def test_unknown_is_sound(values: list[bool | None], data: st.DataObject) -> None:
    """A decided result stays the same for every completion of the unknowns."""
    completed = [data.draw(st.booleans()) if v is None else v for v in values]
    for combine in (k_and, k_or):
        decided = combine(values)
        if decided is not None:
            assert combine(completed) == decided


@given(st.sampled_from([True, False, None]))
def test_tri_of_reads_status_of_backwards(value: bool | None) -> None:
    """A status name and the three-valued result it stands for convert both ways."""
    assert logic.tri_of(logic.status_of(value)) is value
