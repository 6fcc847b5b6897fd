"""Business-day calendar of mainland China (APP-6, SYS-1): holidays, make-up working days,
deadlines in business or calendar days, and official schedules loaded from override files."""

from certgov.calendar.business import (
    MAX_DAYS,
    BusinessCalendar,
    Deadline,
    china_calendar,
    package_official_years,
)
from certgov.calendar.overrides import (
    FIRST_YEAR,
    LAST_YEAR,
    YearSchedule,
    dump_overrides,
    load_overrides,
    parse_overrides,
)

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_DAYS",
    "BusinessCalendar",
    "Deadline",
    "YearSchedule",
    "china_calendar",
    "dump_overrides",
    "load_overrides",
    "package_official_years",
    "parse_overrides",
]
