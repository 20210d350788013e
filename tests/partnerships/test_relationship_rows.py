"""RelationshipRows: a partnership's relationships as the cache keeps them (columns, not a
tuple per relationship), read back as the same RelationshipRows."""

from __future__ import annotations

import pickle

import pytest

from partnerships.selectors import RelationshipRow, RelationshipRows

ROWS = [
    RelationshipRow(11, 1, 2, "direct", "L", "M"),
    RelationshipRow(12, 2, 3, "influential", "M", "E"),
    RelationshipRow(13, 1, 3, "guidance", "L", "E"),
    RelationshipRow(14, 4, 2, "direct", "L", "M"),
]


def test_the_rows_read_back_as_they_were_given():
    rows = pickle.loads(pickle.dumps(RelationshipRows(ROWS)))
    assert len(rows) == 4
    assert list(rows) == ROWS
    assert rows == ROWS
    assert rows[0] == ROWS[0]
    assert rows[-1] == ROWS[-1]
    assert rows[1:3] == ROWS[1:3]
    assert rows[2:50] == ROWS[2:50]
    assert rows[::-1] == ROWS[::-1]
    with pytest.raises(IndexError):
        rows[4]


def test_no_rows_is_falsy():
    empty = RelationshipRows()
    assert not empty
    assert list(empty) == []
    assert empty[0:50] == []
    assert empty.involving(1) == []


def test_the_rows_a_member_is_an_end_of():
    rows = RelationshipRows(ROWS)
    assert rows.involving(2) == [ROWS[0], ROWS[1], ROWS[3]]
    assert rows.involving(3) == [ROWS[1], ROWS[2]]
    assert rows.involving(99) == []
    assert rows.involving(None) == []


def test_a_quadrant_of_more_than_one_letter_is_refused():
    with pytest.raises(ValueError):
        RelationshipRows([RelationshipRow(1, 1, 2, "direct", "LM", "M")])
