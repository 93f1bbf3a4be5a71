"""When is a schedule expression due? ``rate(...)`` and ``cron(...)`` as EventBridge reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Schedule:
    expression: str

    def is_due(self, last_run: datetime | None, now: datetime) -> bool:
        rate = _RATE.match(self.expression)
        if rate:
            period = timedelta(seconds=int(rate.group(1)) * _UNIT_SECONDS[rate.group(2).rstrip("s")])
            return last_run is None or now - last_run >= period
        cron = _CRON.match(self.expression)
        if not cron:
            raise ValueError(f"not a schedule expression: {self.expression!r}")
        minute_start = now.replace(second=0, microsecond=0)
        if last_run is not None and last_run >= minute_start:
            return False
        return _cron_matches(cron.group(1).split(), minute_start)


def _cron_matches(fields: list[str], moment: datetime) -> bool:
    minutes, hours, day_of_month, month, day_of_week, year = fields
    # EventBridge numbers weekdays 1 (Sunday) to 7 (Saturday).
    weekday = (moment.isoweekday() % 7) + 1
    return all(
        (
            _field_matches(minutes, moment.minute),
            _field_matches(hours, moment.hour),
            _field_matches(day_of_month, moment.day),
            _field_matches(month, moment.month),
            _field_matches(day_of_week, weekday),
            _field_matches(year, moment.year),
        )
    )


def _field_matches(spec: str, value: int) -> bool:
    if spec in ("*", "?"):
        return True
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part in ("*", ""):
            low, high = 0, 10_000
        elif "-" in part:
            low, high = (int(bound) for bound in part.split("-"))
        else:
            low = high = int(part)
            if step != 1:
                high = 10_000
        if low <= value <= high and (value - low) % step == 0:
            return True
    return False
