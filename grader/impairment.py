"""The impairment relay's configuration in a spec: what a test's channel does to the traffic."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveInt

Probability = Annotated[float, Field(ge=0, le=1)]
Numbers = Annotated[
    list[PositiveInt], Field(description="Datagram numbers, counted from 1 in this direction.")
]


class Channel(BaseModel):
    """What the relay does to one direction of the traffic. UDP fields act on datagrams (numbered
    from 1 per direction); TCP fields on the byte stream."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    loss: Probability = Field(default=0, description="UDP: share of datagrams dropped (seeded).")
    drop: Numbers = Field(default_factory=list, description="UDP: datagram numbers always dropped.")
    duplicate: Probability = Field(
        default=0, description="UDP: share of datagrams delivered twice (seeded)."
    )
    duplicate_at: Numbers = Field(
        default_factory=list, description="UDP: datagram numbers always delivered twice."
    )
    reorder: Probability = Field(
        default=0,
        description="UDP: share of datagrams held back until the next one has passed (seeded; "
        "held at most 0.3 s).",
    )
    reorder_at: Numbers = Field(
        default_factory=list, description="UDP: datagram numbers always held back (reordered)."
    )
    delay: NonNegativeFloat = Field(
        default=0, description="Seconds added to every datagram, or to every TCP write."
    )
    jitter: NonNegativeFloat = Field(
        default=0, description="Up to this many seconds more, drawn per datagram (seeded)."
    )
    segment: PositiveInt | None = Field(
        default=None, description="TCP: forward in writes of at most n bytes (1: byte by byte)."
    )
    gap: NonNegativeFloat = Field(default=0, description="TCP: seconds between those writes.")
    coalesce: NonNegativeFloat = Field(
        default=0,
        description="TCP: gather what arrives within this many seconds and forward it in one "
        "write (joins the program's separate sends).",
    )
    reset_after: PositiveInt | None = Field(
        default=None, description="TCP: after forwarding n bytes, reset both connections (RST)."
    )


class Impairment(BaseModel):
    """A relay between the grader and the program that impairs the traffic. The same seed gives
    the same fate to the same datagram on every run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = Field(default=0, description="Seed of every random choice the relay makes.")
    to_program: Channel | None = Field(
        default=None, description="What happens to the traffic the grader sends to the program."
    )
    from_program: Channel | None = Field(
        default=None, description="What happens to the traffic the program sends to the grader."
    )
