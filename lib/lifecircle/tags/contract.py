"""The life-circle codes REQUIREMENTS.md names: a contract with the operator and the audits.

The packaged catalogue must define each of them (with a description a marketer can read); the
evaluation scripts and the simulator's truth measure exactly these.
"""

from __future__ import annotations

CIRCLE_CODES: tuple[str, ...] = (
    "circle.social.office",
    "circle.social.campus.university",
    "circle.social.campus.school",
    "circle.social.residential",
    "circle.social.commuter",
    "circle.social.parent_child",
    "circle.social.factory",
    "circle.pref.music",
    "circle.pref.sports.basketball",
    "circle.pref.sports.football",
    "circle.pref.sports.golf",
    "circle.pref.movie",
    "circle.pref.job_seeking",
    "circle.pref.entertainment",
    "circle.pref.shopping",
    "circle.behav.nine_to_five",
    "circle.behav.work_life_balance",
    "circle.behav.colorful_life",
    "circle.behav.fitness",
    "circle.behav.business_traveler",
    "circle.behav.night_owl",
)
