from datetime import date

from observatory.programme.progress import current_rate, date_target_reached, run_rate_needed


def test_run_rate_needed():
    # 400 left over 300 days = 40 per 30-day month
    assert run_rate_needed(1000, 1400, date(2025, 1, 1), date(2025, 10, 28)) == 40
    assert run_rate_needed(1400, 1400, date(2025, 1, 1), date(2025, 10, 28)) == 0
    assert run_rate_needed(10, 1400, date(2026, 1, 1), date(2025, 10, 28)) is None


def test_current_rate_and_date_reached():
    today = date(2025, 4, 1)
    lit = [date(2025, 3, 1)] * 9 + [date(2024, 1, 1)]  # 9 in the last 90 days -> 3 a month
    assert current_rate(lit, today) == 3
    # 30 left at 3 a month = 10 months of 30 days = 300 days
    assert date_target_reached(70, 100, today, 3) == date(2026, 1, 26)
    assert date_target_reached(70, 100, today, 0) is None
