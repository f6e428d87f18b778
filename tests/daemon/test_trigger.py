from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from deskbreak.daemon.trigger import PlannerTrigger, misfire_grace_seconds
from deskbreak.planner.model import ScheduleConfig, Window
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


def test_after_a_sleep_the_trigger_offers_only_the_slot_still_within_the_grace() -> None:
    # Fired at 09:30, then the laptop slept until 11:30:20. APScheduler collects the slots up
    # to now and runs the latest if within the misfire grace: 11:30, once; 10:00-11:00 are gone.
    t = trigger()
    walked = [at("09:30")]
    now = at("11:30") + timedelta(seconds=20)
    while walked[-1] <= now:
        nxt = t.get_next_fire_time(walked[-1], now)
        assert nxt is not None
        walked.append(nxt)
    assert walked == [at("09:30"), at("11:30"), at("12:00")]


def test_a_long_backlog_of_one_minute_slots_is_jumped_over_not_walked() -> None:
    """Three days of 1-minute slots round the clock used to be 4 000 planner calls on the loop."""
    cfg = ScheduleConfig(
        interval=timedelta(minutes=1), windows={d: (Window(0, 24 * 60),) for d in range(7)}
    )
    asked: list[datetime] = []

    def next_after(moment: datetime) -> datetime | None:
        asked.append(moment)
        return next_reminder(cfg, PlanState(), moment)

    t = PlannerTrigger(next_after)
    previous = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    now = previous + timedelta(days=3, seconds=30)
    walked = [previous]
    while walked[-1] <= now:
        nxt = t.get_next_fire_time(walked[-1], now)
        assert nxt is not None
        walked.append(nxt)
    assert len(asked) <= 4
    assert walked[-1] == now - timedelta(seconds=30) + timedelta(minutes=1)
    assert all(now - w <= timedelta(seconds=90) for w in walked[1:-1])


def test_after_a_normal_fire_the_next_slot_follows() -> None:
    assert trigger().get_next_fire_time(at("09:30"), at("09:30")) == at("10:00")


def test_a_reminder_may_go_out_90_seconds_late_but_never_past_half_a_short_interval() -> None:
    assert misfire_grace_seconds(timedelta(minutes=30)) == 90
    assert misfire_grace_seconds(timedelta(minutes=2)) == 60
    assert misfire_grace_seconds(timedelta(seconds=1)) == 1
