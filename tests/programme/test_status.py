from datetime import date

import pytest

from observatory.errors import InputError
from observatory.programme.status import Change, check_next, lit_on, status_on

PLANNED = Change("planned", date(2024, 1, 10))


def test_lit_date_before_planned_date_is_refused():
    with pytest.raises(InputError, match="before"):
        check_next([PLANNED], Change("surveyed", date(2024, 1, 9)))


def test_statuses_only_move_forward():
    check_next([PLANNED], Change("built", date(2024, 3, 1)))
    with pytest.raises(InputError, match="forward"):
        check_next([PLANNED, Change("built", date(2024, 3, 1))], Change("surveyed", date(2024, 4, 1)))


def test_withdrawn_needs_reason_and_ends_history():
    with pytest.raises(InputError, match="reason"):
        check_next([PLANNED], Change("withdrawn", date(2024, 2, 1)))
    gone = [PLANNED, Change("withdrawn", date(2024, 2, 1), "site closed")]
    with pytest.raises(InputError, match="withdrawn"):
        check_next(gone, Change("lit", date(2024, 5, 1)))
    # a withdrawn site no longer counts as planned or lit after its withdrawal
    assert status_on(gone, date(2024, 3, 1)) == "withdrawn"
    assert not lit_on(gone, date(2024, 3, 1))


def test_status_on_a_date():
    h = [PLANNED, Change("lit", date(2024, 6, 1))]
    assert status_on(h, date(2023, 12, 31)) is None
    assert status_on(h, date(2024, 5, 31)) == "planned"
    assert lit_on(h, date(2024, 6, 1))
