"""The programme's one completion forecast: the rate of the last six calendar months, its own month
included, as of the register's last event, a target the register cannot reach said as such, the month in words."""

from datetime import date

from observatory.programme.progress import completion, rate_window


def test_the_rate_window_is_the_last_six_months_to_the_last_event():
    # the last event on 30 September: April to September
    assert rate_window(date(2025, 9, 30)) == (date(2025, 4, 1), date(2025, 9, 30))
    # on 27 September: September counts up to the 27th (the register is known to that day)
    assert rate_window(date(2025, 9, 27)) == (date(2025, 4, 1), date(2025, 9, 27))
    # across a new year: August to 15 January
    assert rate_window(date(2026, 1, 15)) == (date(2025, 8, 1), date(2026, 1, 15))


def test_the_completion_month_from_the_rate():
    # 12 sites lit in April to September 2025 (2 a month) and 88 before: 100 lit on 30 September.
    lit = [date(2024, 1, 1)] * 88 + [date(2025, 4, 10)] * 6 + [date(2025, 9, 1)] * 6
    c = completion(lit, in_programme=124, withdrawn=0, target=124, target_date=date(2027, 3, 31),
                   as_of=date(2025, 9, 30))
    assert c.lit == 100 and c.lit_in_window == 12 and c.rate_per_month == 2.0
    # 24 left at 2 a month = 12 months = one year after 30 September 2025, in September 2026
    assert c.reaches == "2026-09"
    assert "at that rate the target of 124 sites is reached in September 2026" in c.words
    assert "(April 2025 to September 2025)" in c.words
    # 24 left over the 547 days to 31 March 2027: 24 / 547 x 30.4375 = 1.34 a month
    assert c.needed_per_month == 1.3


def test_a_target_the_register_cannot_reach_is_said_and_the_remaining_sites_are_forecast():
    lit = [date(2025, 4, 10)] * 12  # 2 a month
    c = completion(lit, in_programme=20, withdrawn=5, target=25, target_date=date(2027, 3, 31),
                   as_of=date(2025, 9, 30))
    assert c.goal == 20 and c.target == 25
    assert "fewer than the target of 25, so the target cannot be reached" in c.words
    # 8 remaining at 2 a month = 4 months after 30 September 2025: the end of January 2026
    assert c.reaches == "2026-01" and "all 20 remaining sites are lit by January 2026" in c.words
    # where the workspace says withdrawn sites leave the target, the target is 20 and is forecast
    re_based = completion(lit, 20, 5, 25, date(2027, 3, 31), date(2025, 9, 30), withdrawn_leave_target=True)
    assert re_based.target == 20 and re_based.goal == 20 and "cannot be reached" not in re_based.words


def test_no_site_lit_in_the_window_gives_no_date_and_says_why():
    c = completion([date(2024, 1, 1)] * 5, 10, 0, 10, date(2027, 3, 31), as_of=date(2025, 9, 30))
    assert c.reaches is None and "No site was lit in the last 6 months" in c.words
