"""The fast canonical encoder gives exactly the bytes of the plain one, and refuses the same."""

import enum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.journal.canonical import _field, encode


class Kind(enum.StrEnum):
    LOAD = "load_intent"


class Small(enum.IntEnum):
    ONE = 1


values = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(),
    st.binary(max_size=64),
    st.sampled_from([Kind.LOAD, Small.ONE]),
)


@given(st.lists(values, max_size=25))
def test_fast_path_equals_the_plain_encoding(items):
    assert encode(b"CCJ1", items) == b"CCJ1" + b"".join(_field(v) for v in items)


@pytest.mark.parametrize("bad", [2**63, -(2**63) - 1, True, 1.5, object()])
def test_impossible_values_are_refused(bad):
    with pytest.raises(ValueError):
        encode(b"CCJ1", [bad])
