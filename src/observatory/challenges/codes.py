"""The challenge types a resident or business can report, and the bodies a challenge is sent to.

Modelled on the ten challenge codes of the US FCC National Broadband Map's availability challenge
process (FCC, "Broadband Data Collection: availability challenges", codes 1-10: for example
"provider failed to schedule an installation within 10 business days", "provider requested more
than the standard installation fee", "reported speed not available for purchase", "no wireless
signal", "provider does not offer the technology"), adapted to UK terms: an operator (not a
provider), Openreach-style "excess construction charges", full fibre and gigabit as Ofcom names
them, and "no fixed-line operator" for the FCC's "no wireline provider". Each type says what
evidence makes it checkable, as the FCC's list does.

The FCC's outcomes are used as they are: the operator *concedes* (accepts the map is wrong), or
disputes it and the challenge is then *upheld* (the challenger was right) or *overturned* (the
map stands). In the FCC's first year (November 2022 to November 2023) 3.7 million challenges were
made: 2.2 million conceded, 276,000 upheld, 590,000 overturned.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChallengeType:
    code: str       # stable, for exports and the API
    fcc: int        # the FCC code it is modelled on
    label: str      # what a resident reads
    evidence: str   # what makes it checkable


TYPES: tuple[ChallengeType, ...] = (
    ChallengeType("no-install-date", 1, "The operator would not give an installation date within 10 working days",
                  "The date you ordered and any reply (an email or letter), or a note of the call."),
    ChallengeType("install-missed", 2, "The operator did not install on the agreed date",
                  "The agreed date and any message cancelling or moving it."),
    ChallengeType("excess-charge", 3, "The operator asked for more than its standard connection charge",
                  "The quote, showing the charge (for example excess construction charges)."),
    ChallengeType("order-refused", 4, "The operator refused an order for the service",
                  "The refusal, or a note of the call with the date and what was said."),
    ChallengeType("technology-not-available", 5, "The technology shown (for example full fibre) cannot be ordered here",
                  "A screenshot of the operator's availability checker for your address, with the date."),
    ChallengeType("speed-not-available", 6, "The speed shown cannot be ordered here",
                  "A screenshot of the operator's checker or a quote showing the fastest speed offered."),
    ChallengeType("no-wireless-signal", 7, "No fixed wireless or mobile broadband signal at the premises",
                  "The operator's answer, or a signal test with the date and where it was taken."),
    ChallengeType("new-equipment", 8, "Connecting needs new equipment outside a normal installation",
                  "What the operator said is needed (a new pole, duct or cable) and any quote."),
    ChallengeType("no-fixed-line", 9, "No fixed-line operator serves the premises at all",
                  "Replies from the operators you asked, or their checkers' results."),
    ChallengeType("wrong-location", 10, "The premises is missing from the map or shown in the wrong place",
                  "The full address and what the map shows for it."),
)
BY_CODE = {t.code: t for t in TYPES}
CODES = tuple(t.code for t in TYPES)

# Who a checked challenge is sent to for an answer.
RECIPIENTS = ("operator", "Ofcom", "national programme")
RECIPIENT_WORDS = {"operator": "the operator", "Ofcom": "Ofcom",
                   "national programme": "the national programme (Project Gigabit open market or public review)"}

# What the published figures claimed for the premises (a resident picks one).
CLAIMS = ("full fibre", "gigabit-capable broadband", "superfast broadband (30 Mbit/s or more)",
          "decent broadband (10 Mbit/s or more)", "something else")


def label(code: str) -> str:
    found = BY_CODE.get(code)
    return found.label if found else code
