"""The late policy: a due date, a grace period, a penalty per day or hour, a floor and a cutoff."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, field_validator

Period = Literal["day", "hour"]
PERIOD_SECONDS = {"day": 86400.0, "hour": 3600.0}
_DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[smhd]?)\s*$")
_UNIT_SECONDS = {"": 60.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PENALTY = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*%?\s*(?:/|per\s+)(?P<per>day|hour)\s*$")


def local(moment: datetime) -> datetime:
    """A datetime with a time zone: a naive one is read in this machine's local time."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def parse_duration(text: str) -> float:
    """Seconds of '90', '90m', '2h', '1d' or '30s' (a bare number is minutes)."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration; tip: write 15m, 2h or 1d")
    return float(match["n"]) * _UNIT_SECONDS[match["unit"]]


def parse_penalty(text: str) -> tuple[float, Period]:
    """(percent, period) of '10%/day', '2/hour' or '5% per hour'."""
    match = _PENALTY.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a penalty; tip: write 10%/day or 2%/hour")
    per: Period = "day" if match["per"] == "day" else "hour"
    return float(match["n"]), per


class LatePolicy(BaseModel):
    """How late work is marked down: the same for every student of the batch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    due: datetime = Field(
        description="The due date, ISO 8601 ('2026-11-20T23:59:00+01:00'); without a time zone, "
        "this machine's local time."
    )
    grace: NonNegativeFloat = Field(
        default=0,
        description="Seconds after the due date that still count as on time (the course file "
        "also takes '15m', '2h', '1d').",
    )
    penalty: float = Field(
        default=10,
        ge=0,
        le=100,
        description="Percent of the raw score taken per started period of lateness, counted "
        "from the due date.",
    )
    per: Period = Field(default="day", description="The period of the penalty: day or hour.")
    floor: float = Field(
        default=0,
        ge=0,
        le=100,
        description="The lowest share of the raw score (percent) late work keeps before the "
        "cutoff: a penalty never takes more than 100 - floor percent.",
    )
    cutoff: datetime | None = Field(
        default=None,
        description="No credit after this moment (final score 0), whatever the floor.",
    )

    @field_validator("grace", mode="before")
    @classmethod
    def _grace(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value

    def assess(
        self, raw: float, submitted: datetime | None, source: str, lms_late: bool = False
    ) -> Lateness:
        """The lateness of a submission handed in at submitted, and what it costs of raw."""
        if submitted is None:
            return Lateness(
                submitted_at=None,
                source=source,
                late=lms_late,
                raw_score=raw,
                final_score=raw,
                reason="the submission time is unknown: no penalty applied",
            )
        due = local(self.due)
        moment = local(submitted)
        late_by = (moment - due).total_seconds()
        unit = PERIOD_SECONDS[self.per]
        on_time = Lateness(submitted_at=moment, source=source, raw_score=raw, final_score=raw)
        if self.cutoff is not None and moment > local(self.cutoff):
            return on_time.model_copy(
                update={
                    "late": True,
                    "late_by": late_by,
                    "periods": math.ceil(late_by / unit),
                    "percent": 100.0,
                    "penalty": raw,
                    "final_score": 0.0,
                    "reason": f"handed in after the cutoff ({local(self.cutoff).isoformat()}): "
                    "no credit",
                }
            )
        if late_by <= self.grace:
            if lms_late:
                when = f"{_span(-late_by)} before" if late_by < 0 else "within the grace of"
                return on_time.model_copy(
                    update={
                        "late": True,
                        "reason": f"the LMS marks it late, but the {source} is {when} the due "
                        "date: no penalty applied; check the time in the LMS",
                    }
                )
            return on_time
        periods = math.ceil(late_by / unit)
        percent = min(periods * self.penalty, 100 - self.floor)
        penalty = round(raw * percent / 100, 2)
        capped = " (the floor)" if percent < periods * self.penalty else ""
        return on_time.model_copy(
            update={
                "late": True,
                "late_by": late_by,
                "periods": periods,
                "percent": percent,
                "penalty": penalty,
                "final_score": round(raw - penalty, 2),
                "reason": f"{_span(late_by)} late: {periods} {self.per}"
                f"{'s' if periods > 1 else ''} at {self.penalty:g}%, -{percent:g}%{capped}",
            }
        )


def _span(seconds: float) -> str:
    """'2 d 3 h', '5 h 10 min', '12 min' or '40 s'."""
    seconds = abs(seconds)
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{secs} s"


class Lateness(BaseModel):
    """When a submission was handed in, by which clock, and what the late policy took."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    submitted_at: datetime | None = Field(description="When it was handed in, when known.")
    source: str = Field(
        description="Where that time comes from: 'Gradescope created_at', 'file time', ..."
    )
    late: bool = Field(default=False, description="Past the due date and its grace period.")
    late_by: float = Field(default=0, description="Seconds after the due date (if late).")
    periods: int = Field(default=0, description="Started days or hours of lateness.")
    percent: float = Field(default=0, description="Percent of the raw score taken.")
    raw_score: float = Field(description="The score the tests gave.")
    penalty: float = Field(default=0, description="Points taken for lateness.")
    final_score: float = Field(description="raw_score - penalty: what goes to the gradebook.")
    reason: str = Field(default="", description="One line: how late, and what it cost.")
