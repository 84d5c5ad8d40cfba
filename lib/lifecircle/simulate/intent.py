"""Tag truth of the realistic profile: what the person IS (persona and planned habits), not what
rules find in the true stays. Each definition is what a reasonable observer of the person's month
would say; "planned" rates are the habits drawn in habits.py (visits per month), of which the
window holds a sample (at least one visit for a positive persona rate).

Region circles (`circle.region.*`) stay rule-based on the true stays (tags.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .city import City
from .habits import LEISURE, WEEKS_PER_MONTH, home_work_km

COMMUTE_KM = 15  # home-work distance of a regular >= 30 km/day commuter

# code -> definition (printed in the truth README).
DEFINITIONS = {
    "circle.social.office": "works in an office tower (role office)",
    "circle.social.campus.university": "university student (role student_uni; dormitory students live on campus)",
    "circle.social.campus.school": "primary / secondary pupil (role student_school)",
    "circle.social.factory": "works in an industrial park (role factory, any shift)",
    "circle.social.residential": "spends weekday daytime at home: homebodies and retirees, job seekers, "
                                 "permanent night-shift workers (asleep at home by day)",
    "circle.social.commuter": f"regular long travel: long commuter living >= {COMMUTE_KM} km from work "
                              "(>= 30 km a working day)",
    "circle.social.parent_child": "does school runs (parent persona with an office or homebody role: "
                                  "drop-off on 60-95 % of school days, homebodies also pick up)",
    "circle.pref.music": "planned KTV + concert visits >= 2 a month",
    "circle.pref.sports.basketball": "planned basketball >= 4 a month (about weekly)",
    "circle.pref.sports.football": "planned football >= 2 a month",
    "circle.pref.sports.golf": "planned golf >= 1.2 a month",
    "circle.pref.movie": "planned cinema visits >= 2 a month (moviegoers 2-3, colourful people 2-4)",
    "circle.pref.job_seeking": "looking for a job (role job_seeker: talent market 1-3 mornings a week)",
    "circle.pref.entertainment": "planned KTV + bar visits >= 2 a month",
    "circle.pref.shopping": "planned mall + market shopping >= 3 a month (grocery errands excluded)",
    "circle.behav.nine_to_five": "a regular weekday daytime job: office worker with regular hours "
                                 "(arrival 08:00-09:30 +- 45 min) or day-shift factory worker",
    "circle.behav.work_life_balance": "nine_to_five and planned leisure (sport, cinema, KTV, concert, bar, "
                                      "shopping, park) >= 1 a week",
    "circle.behav.colorful_life": "planned visits >= 2 a month to each of >= 4 kinds of leisure places",
    "circle.behav.fitness": "planned gym visits >= 4 a month",
    "circle.behav.business_traveler": "business traveller persona (trips out of the city and hotel nights)",
    "circle.behav.night_owl": "night owl persona (late bar nights 1-3 a week)",
}
# code -> (rate columns summed, monthly threshold, favourite places for the landmark, by rate)
RATE_TAGS = {
    "circle.pref.music": (["ktv", "concert"], 2.0),
    "circle.pref.sports.basketball": (["basketball"], 4.0),
    "circle.pref.sports.football": (["football"], 2.0),
    "circle.pref.sports.golf": (["golf"], 1.2),
    "circle.pref.movie": (["cinema"], 2.0),
    "circle.pref.entertainment": (["ktv", "bar"], 2.0),
    "circle.pref.shopping": (["mall", "market"], 3.0),
    "circle.behav.fitness": (["gym"], 4.0),
}


def monthly(pop: pd.DataFrame, kind: str) -> np.ndarray:
    return pop[f"rate_{kind}"].to_numpy() * WEEKS_PER_MONTH


def intent_tags(pop: pd.DataFrame, city: City) -> pd.DataFrame:
    """Rows (sub, tag_code, place) for the 21 contract codes; place = landmark candidate, -1 if none."""
    role = pop["role"].to_numpy()
    col = lambda c: pop[c].to_numpy()  # noqa: E731
    fav = lambda k: pop[f"fav_{k}"].to_numpy()  # noqa: E731
    none = np.full(len(pop), -1)
    work, home = col("work"), col("home")
    nine = ((role == "office") & col("regular_hours")) | ((role == "factory") & (col("shift") == "day"))
    rate = {k: monthly(pop, k) for k in LEISURE}
    leisure_week = sum(rate.values()) / WEEKS_PER_MONTH
    kinds = sum((rate[k] >= 2.0).astype(int) for k in LEISURE)
    out = {
        "circle.social.office": (role == "office", work),
        "circle.social.campus.university": (role == "student_uni", work),
        "circle.social.campus.school": (role == "student_school", work),
        "circle.social.factory": (role == "factory", work),
        "circle.social.residential": (np.isin(role, ["homebody", "job_seeker"]) | (col("shift") == "night"), home),
        "circle.social.commuter": (col("long_commuter") & (home_work_km(pop, city) >= COMMUTE_KM), none),
        "circle.social.parent_child": (col("parent") & np.isin(role, ["office", "homebody"]), fav("school")),
        "circle.pref.job_seeking": (role == "job_seeker", fav("talent")),
        "circle.behav.nine_to_five": (nine, work),
        "circle.behav.work_life_balance": (nine & (leisure_week >= 1.0), work),
        "circle.behav.colorful_life": (kinds >= 4, none),
        "circle.behav.business_traveler": (col("business_traveler"), fav("station")),
        "circle.behav.night_owl": (col("night_owl"), fav("bar")),
    }
    for code, (kinds_of, threshold) in RATE_TAGS.items():
        total = sum(rate[k] for k in kinds_of)
        best = np.argmax(np.column_stack([rate[k] for k in kinds_of]), axis=1)
        place = np.column_stack([fav(k) for k in kinds_of])[np.arange(len(pop)), best]
        out[code] = (total >= threshold - 1e-9, place)
    rows = [pd.DataFrame({"sub": np.flatnonzero(mask), "tag_code": code, "place": place[mask]})
            for code, (mask, place) in out.items()]
    return pd.concat(rows, ignore_index=True)
