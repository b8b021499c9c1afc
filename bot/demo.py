"""Demo population for the simulator and for trying the bot: the three personas and sample followers."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from bot.db import Database
from bot.models import Role, User
from bot.simulator.router import ensure_personas
from knowledge.divisions import divisions
from knowledge.majors import majors

# The five regions of the notices weigh more than the rest of the country.
FOCUS_PROVINCES = ["15", "44", "41", "11", "43"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉健俊帆浩宇欣怡梓涵子轩雨"


def seed_if_empty(db: Database) -> bool:
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(User)):
            return False
    seed(db)
    return True


def seed(db: Database, positions: int = 200, units: int = 50, trainees: int = 100,
         graduates: int = 100, rng_seed: int = 7) -> dict[str, int]:
    rng = random.Random(rng_seed)
    ensure_personas(db)
    counties = [d for d in divisions().by_code.values() if d.level == "county"]
    focus = [d for d in counties if d.province_code in FOCUS_PROVINCES]
    names = majors().names
    made = 0
    with db.session() as s:
        existing = set(s.scalars(select(User.openid).where(User.openid.startswith("demo-g-"))))
        for i in range(graduates):
            openid = f"demo-g-{i:05d}"
            if openid in existing:
                continue
            place = rng.choice(focus if rng.random() < 0.7 else counties)
            s.add(User(openid=openid, role=Role.graduate.value, name=rng.choice(SURNAMES) + rng.choice(GIVEN) +
                       rng.choice(GIVEN), education=rng.choice(["大专", "本科", "本科", "硕士"]),
                       major=rng.choice(names), graduation=f"{rng.choice([2025, 2026])}-0{rng.choice([6, 7])}",
                       region_code=place.code, region_name=place.full_name, subscribed=True, pushes_enabled=True))
            made += 1
    return {"personas": 3, "graduates": made}
