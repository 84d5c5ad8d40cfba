"""Product relations month by month under a known logistic adoption model, plus the OCRM
campaign contacts whose responses depend on the same propensity, and complaints.

Adoption in month M by a subscriber not holding the product at the end of M−1:
    P = sigmoid(intercept_p + Σ persona weights + Σ usage weights · z(M−1) + 0.5 · marketed(M−1))
with the weights of vocab.PRODUCTS and z the standardised log volumes of month M−1. Holders
cancel with probability 4 % a month. The same model runs one month past the observed data so
the truth holds the probability and outcome the matrix should predict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .consumption import usage_z
from .vocab import MARKETED_WEIGHT, PRODUCTS

NONE, MARKETED, OPENED, ACTIVE, CANCELLED = 0, 1, 2, 3, 4
STATUS_NAMES = {MARKETED: "marketed", OPENED: "opened", ACTIVE: "active", CANCELLED: "cancelled"}
CAMPAIGNS = [("1004", "sms"), ("1002", "outbound_call"), ("1003", "app_push"), ("12580", "hall")]


@dataclass
class ProductHistory:
    status: list[np.ndarray]       # per observed month: (n, n_prod) status codes at month end
    status_date: list[np.ndarray]  # per observed month: (n, n_prod) datetime64[D]
    truth: pd.DataFrame            # sub, product_code, month, probability, adopted, in_data
    feedback: pd.DataFrame         # day, campaign_id, sub, product_code, channel, contact_time, response, opened_within_days
    complaints: pd.DataFrame       # k, sub, complaint_time, category


def month_bounds(m: date) -> tuple[np.datetime64, np.datetime64]:
    start = np.datetime64(m, "D")
    return start, (np.datetime64(m, "M") + 1).astype("datetime64[D]") - 1


def _random_day(rng, lo: np.ndarray, hi: np.datetime64, shape) -> np.ndarray:
    """Uniform day in [lo, hi] (lo broadcast to shape)."""
    lo = np.broadcast_to(lo, shape)
    span = (hi - lo).astype(np.int64) + 1
    return lo + (rng.random(shape) * np.maximum(span, 1)).astype("timedelta64[D]")


def _static_logits(pop: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Persona part (n, n_prod) and usage weights (n_prod, 3) of the adoption logit."""
    base = np.zeros((len(pop), len(PRODUCTS)))
    wz = np.zeros((len(PRODUCTS), 3))
    for j, (_, _, _, _, _, intercept, weights) in enumerate(PRODUCTS):
        base[:, j] = intercept
        for name, w in weights.items():
            if name.startswith("z_"):
                wz[j, ["z_data", "z_sms", "z_voice"].index(name)] = w
            else:
                base[:, j] += w * pop[name].to_numpy()
    return base, wz


def simulate_products(rng: np.random.Generator, pop: pd.DataFrame, usage: pd.DataFrame,
                      months: list[date], feedback_days: list[date]) -> ProductHistory:
    """months: observed months then the next one; feedback days lie in the last observed month."""
    n, n_prod = len(pop), len(PRODUCTS)
    n_obs = len(months) - 1
    base, wz = _static_logits(pop)
    launch = np.array([np.datetime64(p[4], "D") for p in PRODUCTS])
    opened = pop["open_date"].to_numpy().astype("datetime64[D]")
    codes = np.array([p[0] for p in PRODUCTS])
    statuses, dates, truth = [], [], []
    feedback = pd.DataFrame()
    for k, m in enumerate(months):
        m0, m1 = month_bounds(m)
        exists = (opened <= m1)[:, None] & (launch <= m1)[None, :]
        z = usage_z(usage[usage["k"] == max(k - 1, 0)])
        logit = base + np.column_stack([z["z_data"], z["z_sms"], z["z_voice"]]) @ wz.T
        since = np.maximum(opened[:, None], launch[None, :])
        first_day = np.maximum(opened, m0)[:, None]  # nothing happens before the line was opened
        if k == 0:
            hold = exists & (rng.random((n, n_prod)) < 1 / (1 + np.exp(-(logit + 1.2))))
            status = np.where(hold, np.where(rng.random((n, n_prod)) < 0.6, ACTIVE, OPENED), NONE)
            status[~hold & exists & (rng.random((n, n_prod)) < 0.03)] = CANCELLED
            status[(status == NONE) & exists & (rng.random((n, n_prod)) < 0.04)] = MARKETED
            sdate = np.where(status == MARKETED, _random_day(rng, first_day, m1, (n, n_prod)), _random_day(rng, since, m1, (n, n_prod)))
        else:
            prev, pdate = statuses[-1], dates[-1]
            held = np.isin(prev, [OPENED, ACTIVE])
            prob = 1 / (1 + np.exp(-(logit + MARKETED_WEIGHT * (prev == MARKETED))))
            elig = exists & ~held
            adopt = elig & (rng.random((n, n_prod)) < prob)
            adopt_day = _random_day(rng, first_day, m1, (n, n_prod))
            if k == n_obs - 1 and feedback_days:
                feedback, adopt, adopt_day = _campaigns(rng, prob, elig, adopt, adopt_day, codes, feedback_days, m1)
            cancel = held & (rng.random((n, n_prod)) < 0.04)
            hold = (held & ~cancel) | adopt
            status = np.where(hold, np.where(rng.random((n, n_prod)) < 0.65, ACTIVE, OPENED),
                              np.where(cancel, CANCELLED, np.where(np.isin(prev, [MARKETED, CANCELLED]), prev, NONE)))
            offered = ~hold & exists & (status != CANCELLED) & (rng.random((n, n_prod)) < 0.04)
            status[offered] = MARKETED
            sdate = np.where(status != prev, _random_day(rng, first_day, m1, (n, n_prod)), pdate)
            sdate = np.where(adopt, adopt_day, sdate)
            if k == n_obs - 1 and len(feedback):
                # Contacted and not adopting: the relation shows the offer on the contact day.
                fb = feedback
                s, j = fb["sub"].to_numpy(), fb["product_idx"].to_numpy()
                keep = ~adopt[s, j]
                status[s[keep], j[keep]] = MARKETED
                sdate[s[keep], j[keep]] = fb["contact_time"].to_numpy().astype("datetime64[D]")[keep]
            e_sub, e_prod = np.nonzero(elig)
            truth.append(pd.DataFrame({
                "sub": e_sub, "product_code": codes[e_prod], "month": f"{m:%Y%m}",
                "probability": prob[e_sub, e_prod], "adopted": adopt[e_sub, e_prod], "in_data": k < n_obs}))
        if k < n_obs:
            statuses.append(status.astype(np.int8))
            dates.append(sdate.astype("datetime64[D]"))
        else:
            break
    complaints = _complaints(rng, pop, statuses, dates, months[:n_obs], feedback)
    return ProductHistory(statuses, dates, pd.concat(truth, ignore_index=True), feedback, complaints)


def _campaigns(rng, prob, elig, adopt, adopt_day, codes, days: list[date], m1):
    """OCRM contacts: half targeted at high propensity, half at random; responses follow propensity."""
    n = prob.shape[0]
    rows = []
    adopt, adopt_day = adopt.copy(), adopt_day.copy()
    for day in days:
        for code, channel in CAMPAIGNS:
            j = int(np.flatnonzero(codes == code)[0])
            pool = np.flatnonzero(elig[:, j])
            if len(pool) == 0:
                continue
            size = min(len(pool), max(3, round(0.01 * n)))
            top = pool[np.argsort(-prob[pool, j], kind="stable")[: max(size, len(pool) // 5)]]
            chosen = np.unique(np.r_[rng.choice(top, size // 2, replace=False),
                                     rng.choice(pool, size - size // 2, replace=False)])
            p = prob[chosen, j]
            u = rng.random(len(chosen))
            accept_p = np.clip(0.03 + 3 * p, 0, 0.9)
            complain_p = 0.05 if channel == "outbound_call" else 0.02
            response = np.where(u < accept_p, "accepted",
                                np.where(u < accept_p + complain_p, "complained",
                                         np.where(rng.random(len(chosen)) < 0.5, "declined", "no_response")))
            contact = np.datetime64(day, "s") + rng.integers(9 * 3600, 20 * 3600, len(chosen)).astype("timedelta64[s]")
            cday = contact.astype("datetime64[D]")
            within = np.minimum(rng.integers(0, 8, len(chosen)), (m1 - cday).astype(np.int64))
            opens = (response == "accepted") & (rng.random(len(chosen)) < 0.85)
            adopt[chosen[opens], j] = True
            adopt_day[chosen[opens], j] = cday[opens] + within[opens].astype("timedelta64[D]")
            rows.append(pd.DataFrame({
                "day": day, "campaign_id": f"CMP{day:%Y%m}_{code}", "sub": chosen, "product_code": code,
                "product_idx": j, "channel": channel, "contact_time": contact, "response": response}))
    fb = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if len(fb):
        s, j = fb["sub"].to_numpy(), fb["product_idx"].to_numpy()
        lag = (adopt_day[s, j] - fb["contact_time"].to_numpy().astype("datetime64[D]")).astype(np.int64)
        # Opened within that many days of the contact (whatever the response), else empty.
        fb["opened_within_days"] = np.where(adopt[s, j] & (lag >= 0) & (lag <= 30), lag, -1)
    return fb, adopt, adopt_day


def _complaints(rng, pop, statuses, dates, months, feedback) -> pd.DataFrame:
    """Ordinary complaints at a low rate; harassment more likely after a marketing contact."""
    n = len(pop)
    opened = pop["open_date"].to_numpy().astype("datetime64[D]")
    rows = []
    for k, m in enumerate(months):
        m0, m1 = month_bounds(m)
        exists = opened <= m1
        offered = ((statuses[k] == MARKETED) & (dates[k] >= m0)).any(axis=1)
        harassed = exists & (rng.random(n) < np.where(offered, 0.06, 0.003))
        other = exists & ~harassed & (rng.random(n) < 0.015)
        if harassed.sum() + other.sum() < 3:  # a month always has a few complaints, even in a tiny city
            other[rng.choice(np.flatnonzero(exists & ~harassed), min(3, int((exists & ~harassed).sum())), replace=False)] = True
        s = np.r_[np.flatnonzero(harassed), np.flatnonzero(other)]
        category = np.r_[np.full(harassed.sum(), "harassment"),
                         rng.choice(["billing", "network", "service", "other"], other.sum(), p=[0.35, 0.3, 0.2, 0.15])]
        lo = np.maximum(opened[s], m0)
        seconds = (rng.random(len(s)) * ((m1 - lo).astype(np.int64) + 1) * 86400).astype("timedelta64[s]")
        rows.append(pd.DataFrame({"k": k, "sub": s, "complaint_time": lo.astype("datetime64[s]") + seconds,
                                  "category": category}))
        if k == len(months) - 1 and len(feedback):
            c = feedback[feedback["response"] == "complained"]
            t = c["contact_time"].to_numpy() + rng.integers(3600, 36 * 3600, len(c)).astype("timedelta64[s]")
            t = np.minimum(t, np.datetime64(m1, "s") + np.timedelta64(86399, "s"))
            rows.append(pd.DataFrame({"k": k, "sub": c["sub"].to_numpy(), "complaint_time": t, "category": "harassment"}))
    out = pd.concat(rows, ignore_index=True)
    return out.drop_duplicates(["sub", "complaint_time", "category"]).sort_values(["k", "complaint_time", "sub"], ignore_index=True)
