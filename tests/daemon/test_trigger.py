from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from deskbreak.config import ScheduleConfig, Window
from deskbreak.daemon.core import PlannerTrigger
from deskbreak.planner.schedule import PlanState, next_reminder

ZONE = ZoneInfo("Europe/Berlin")
CFG = ScheduleConfig(
    interval=timedelta(minutes=30),
    windows={d: (Window(9 * 60, 17 * 60 + 30),) for d in range(5)},
    timezone=ZONE,
)


def at(hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2026, 11, 23, h, m, tzinfo=ZONE)


def trigger() -> PlannerTrigger:
    return PlannerTrigger(lambda moment: next_reminder(CFG, PlanState(), moment))


def test_first_fire_time_is_the_planners_next_slot() -> None:
    assert trigger().get_next_fire_time(None, at("09:29")) == at("09:30")


def test_after_a_long_sleep_the_trigger_walks_the_missed_slots_for_apscheduler_to_coalesce() -> (
    None
):
    # Fired at 09:30, then the laptop slept until 11:30:20. APScheduler collects every slot up
    # to now, runs only the latest (coalesce) and only if within the misfire grace.
    t = trigger()
    walked = [at("09:30")]
    now = at("11:30") + timedelta(seconds=20)
    while walked[-1] <= now:
        nxt = t.get_next_fire_time(walked[-1], now)
        assert nxt is not None
        walked.append(nxt)
    assert walked[1:-1] == [at("10:00"), at("10:30"), at("11:00"), at("11:30")]
    assert walked[-1] == at("12:00")


def test_after_a_normal_fire_the_next_slot_follows() -> None:
    assert trigger().get_next_fire_time(at("09:30"), at("09:30")) == at("10:00")
