"""Seeded generators for the bundled scenarios, with their parameters taken from the source reports.

Every figure marked REPORT below comes from ``shared/seeds`` (summarised in ``shared/DOMAIN.md``);
everything marked ASSUMPTION is ours and is listed in each scenario's ``sources`` field and in the
README. One ``random.Random(seed)`` drives each scenario, so the same seed gives the same file.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from matcher.domain import (
    INDUSTRY_CATEGORIES,
    Case,
    Category,
    HalfDay,
    Role,
    Scenario,
    TimeSlot,
    WeeklySlot,
)

#: The planning day of every bundled scenario: a Monday after the 2024 Spring Festival (ASSUMPTION).
TODAY = dt.date(2024, 3, 4)

_SURNAMES = "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao Liang Zheng Xie Song Tang Deng Han Feng Cao Peng".split()
_GIVEN = "Wei Fang Na Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Juan Tao Ming Chao Xiu Xia Ping Gang Hua Hui Bin Hong Ying Lan Feng Kai Yu".split()
_COMPANIES = [
    "Huafeng Electronics", "Xinda Logistics", "Baoneng Property Services", "Pengcheng Construction", "Haitian Garments",
    "Shenbao Auto Parts", "Jinlong Hotel Group", "Anxin Insurance", "Kangning Hospital", "Mingde School",
    "Yuanhang Trading", "Zhongtai Machinery", "Lianhua Supermarkets", "Qianhai Fintech", "Dongfang Textiles",
]
_SOURCES_COMMON = {
    "travel_speed_kmh": "ASSUMPTION: 30 km/h road speed, 1.3 detour factor on straight-line distance",
    "today": "ASSUMPTION: planning day 2024-03-04 (a Monday)",
    "deadlines": "ASSUMPTION: 15 days for community-level ordinary disputes, 30 days otherwise, 7 days for high risk (限时办结)",
    "capacities": "ASSUMPTION: 12-25 open cases and 6-10 sessions a week per expert; current load 0-40% of capacity",
    "languages": "ASSUMPTION: Mandarin (zh) everywhere; Cantonese (yue) and Hakka (hak) in Guangdong scenarios",
}


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + " " + rng.choice(_GIVEN) + rng.choice(["", rng.choice(_GIVEN).lower()])


def _around(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point within `km` of (lat, lon), uniformly on the disc."""
    r = km * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    return round(lat + r * math.cos(a) / 111.0, 5), round(lon + r * math.sin(a) / (111.0 * math.cos(math.radians(lat))), 5)


@dataclass
class _Builder:
    """Accumulates a scenario's parts; each scenario function fills it."""

    name: str
    seed: int
    description: str
    sources: dict[str, str]
    rng: random.Random

    def __post_init__(self) -> None:
        self.centers: list[dict] = []
        self.courts: list[dict] = []
        self.experts: list[dict] = []
        self.arrivals: list[dict] = []
        self._n = 0

    def center(self, id: str, name: str, level: str, parent: str | None, lat: float, lon: float, **kw) -> str:  # type: ignore[no-untyped-def]
        self.centers.append(dict(id=id, name=name, level=level, parent=parent, lat=lat, lon=lon, **kw))
        return id

    def expert(self, role: Role, home: str, categories: dict[Category, int] | None = None, **kw) -> dict:  # type: ignore[no-untyped-def]
        rng = self.rng
        self._n += 1
        cap = rng.randint(12, 25)
        e = dict(
            id=f"{role.value[:3]}{self._n:05d}",
            name=_name(rng),
            role=role.value,
            categories={c.value: p for c, p in (categories or {}).items()},
            home_center=home,
            max_open_cases=cap,
            open_cases=rng.randint(0, int(cap * 0.4)),
            max_sessions_per_week=rng.randint(6, 10),
            online_capable=rng.random() < 0.8,
        )
        e.update(kw)
        self.experts.append(e)
        return e

    def arrival(self, center: str, category: Category, per_day: float) -> None:
        if per_day > 0:
            self.arrivals.append(dict(center=center, category=category.value, per_day=round(per_day, 4)))

    def scenario(self, rotation: list[dict], cases_per_day: int | None) -> Scenario:
        s = Scenario.model_validate(
            dict(
                name=self.name, description=self.description, seed=self.seed, today=TODAY,
                sources={**_SOURCES_COMMON, **self.sources}, centers=self.centers, courts=self.courts,
                experts=self.experts, arrivals=self.arrivals, rotation=rotation,
            )
        )
        if cases_per_day:
            s = s.replace(cases=[c.model_dump(mode="json") for c in generate_cases(s, cases_per_day, self.seed + 1)])
        return s


def _categories(rng: random.Random, pool: Sequence[Category], k: int) -> dict[Category, int]:
    return {c: rng.randint(2, 5) for c in rng.sample(list(pool), min(k, len(pool)))}


_ORDINARY = [Category.NEIGHBOR, Category.MARRIAGE_FAMILY, Category.PROPERTY_MANAGEMENT, Category.DEBT, Category.LABOR,
             Category.EDUCATION, Category.LAND, Category.OTHER, Category.ROAD_TRAFFIC, Category.COMMERCIAL]


def _languages(rng: random.Random, guangdong: bool) -> list[str]:
    langs = ["zh"]
    if guangdong and rng.random() < 0.35:
        langs.append("yue")
    if guangdong and rng.random() < 0.1:
        langs.append("hak")
    return langs


def _mediators(b: _Builder, home: str, n: int, travel: tuple[int, int], guangdong: bool, role: Role = Role.MEDIATOR) -> None:
    rng = b.rng
    for _ in range(n):
        b.expert(role, home, _categories(rng, _ORDINARY, rng.randint(4, 7)), max_travel_minutes=rng.randint(*travel),
                 languages=_languages(rng, guangdong))


def _rotation(b: _Builder, weeks: int = 2) -> list[dict]:
    """A simple published calendar: each center's needed judge half-days, fixed slots first, filled
    by the judges of the nearest court who are not sitting in court then (greedy, ASSUMPTION)."""
    by_center = {c["id"]: c for c in b.centers}
    judges = [e for e in b.experts if e["role"] == Role.JUDGE.value]
    court_pos = {c["id"]: (c["lat"], c["lon"]) for c in b.courts}
    used: set[tuple[str, TimeSlot]] = set()
    load: dict[str, int] = {j["id"]: 0 for j in judges}
    out = []
    for w in range(weeks):
        monday = TODAY + dt.timedelta(days=7 * w)
        for c in b.centers:
            need = c.get("judge_halfdays_per_week", 0)
            if not need:
                continue
            fixed = [WeeklySlot.model_validate(x) for x in c.get("fixed_judge_slots", [])]
            opening = [WeeklySlot(weekday=d, half=h) for d in range(5) for h in HalfDay]
            order = fixed + [s for s in opening if s not in fixed]
            cands = sorted(judges, key=lambda j: (_dist(court_pos[j["court"]], (c["lat"], c["lon"])), j["id"]))
            placed = 0
            for ws in order:
                if placed == need:
                    break
                slot = TimeSlot(date=monday + dt.timedelta(days=ws.weekday), half=ws.half)
                for j in sorted(cands[:12], key=lambda j: load[j["id"]]):
                    court_days = {(d["weekday"], d["half"]) for d in j.get("court_days", [])}
                    if (ws.weekday, ws.half.value) in court_days or (j["id"], slot) in used:
                        continue
                    if load[j["id"]] >= 4 * (w + 1):
                        continue
                    used.add((j["id"], slot))
                    load[j["id"]] += 1
                    out.append(dict(judge=j["id"], center=c["id"], slot=dict(date=slot.date.isoformat(), half=slot.half.value)))
                    placed += 1
                    break
    del by_center
    return out


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], (a[1] - b[1]) * math.cos(math.radians(a[0])))


def _judges(b: _Builder, court: str, home: str, n: int, prefix: str | None = None) -> None:
    rng = b.rng
    # Court days avoid the weekdays on which centers ask for their judge (a fixed rotation day).
    fixed = {x["weekday"] for c in b.centers for x in c.get("fixed_judge_slots", [])}
    days = [d for d in range(5) if d not in fixed] or list(range(5))
    for i in range(n):
        day = rng.choice(days)
        kw = dict(court=court, court_days=[dict(weekday=day, half="am"), dict(weekday=day, half="pm")],
                  qualifications=["judicial_confirmation", "pre_litigation_mediation"], max_travel_minutes=120,
                  max_rotation_halfdays_per_week=4, max_rotation_halfdays_per_month=14)
        e = b.expert(Role.JUDGE, home, **kw)
        if prefix:
            e["name"] = f"{prefix} {i + 1}"


# -- Bao'an (Shenzhen) ------------------------------------------------------------------------------

_BAOAN_STREETS = [  # (id, name, lat, lon, hosts a people's tribunal)
    ("xinan", "新安街道 Xin'an", 22.5535, 113.8830, True),
    ("xixiang", "西乡街道 Xixiang", 22.5780, 113.8600, True),
    ("hangcheng", "航城街道 Hangcheng", 22.6050, 113.8350, False),
    ("fuyong", "福永街道 Fuyong", 22.6650, 113.8150, True),
    ("fuhai", "福海街道 Fuhai", 22.6800, 113.8000, False),
    ("shajing", "沙井街道 Shajing", 22.7300, 113.8300, True),
    ("xinqiao", "新桥街道 Xinqiao", 22.7200, 113.8450, False),
    ("songgang", "松岗街道 Songgang", 22.7750, 113.8400, False),
    ("yanluo", "燕罗街道 Yanluo", 22.7900, 113.8700, False),
    ("shiyan", "石岩街道 Shiyan", 22.6800, 113.9300, True),
]
_BAOAN_MIX = {  # share of a day's cases (ASSUMPTION, shaped by the categories the reports list)
    Category.LABOR: 0.22, Category.NEIGHBOR: 0.15, Category.MARRIAGE_FAMILY: 0.14, Category.PROPERTY_MANAGEMENT: 0.12,
    Category.DEBT: 0.09, Category.COMMERCIAL: 0.08, Category.ROAD_TRAFFIC: 0.07, Category.MEDICAL: 0.03,
    Category.INTELLECTUAL_PROPERTY: 0.02, Category.EDUCATION: 0.03, Category.LAND: 0.01, Category.OTHER: 0.04,
}
_PLATFORMS = [Category.COMMERCIAL, Category.MEDICAL, Category.INTELLECTUAL_PROPERTY, Category.MARRIAGE_FAMILY,
              Category.ROAD_TRAFFIC, Category.LABOR]


def baoan(seed: int) -> Scenario:
    rng = random.Random(seed)
    b = _Builder(
        "baoan", seed,
        "Bao'an district, Shenzhen: 1 district center, 10 streets (5 with people's tribunals hosting the sub-centers), "
        "124 communities; ~1,200 experts on 6 professional platforms and 4 professional teams; ~370 cases a day.",
        {
            "network 1+10+124": "REPORT: Bao'an comprehensive-governance network, 1 district, 10 streets, 124 communities",
            "5 sub-centers at tribunals": "REPORT: Bao'an built 5 sub-centers at its 5 people's tribunals",
            "6 professional platforms": "REPORT: commercial, medical, IP, family, road traffic, labor",
            "1,200+ experts": "REPORT: Bao'an online platform pools 1,200+ experts",
            "one counselor per community": "REPORT: target 'one counselor per community'",
            "~370 cases a day": "REPORT: 100,000+ requests resolved Jan-Sep 2023 (~370 a day)",
            "expert mix by role, 12 judges per tribunal": "ASSUMPTION",
            "case mix by category": "ASSUMPTION (categories from the reports, shares ours)",
            "which streets host tribunals": "ASSUMPTION: Xin'an, Xixiang, Fuyong, Shajing, Shiyan",
        },
        rng,
    )
    d = b.center("baoan", "宝安区矛盾纠纷多元调处中心 Bao'an District Center", "district", None, 22.5553, 113.8830,
                 rooms=8, platforms=[c.value for c in _PLATFORMS], judge_halfdays_per_week=4,
                 fixed_judge_slots=[dict(weekday=1, half="am")])
    communities: dict[str, list[str]] = {}
    per_street = [13, 12, 12, 13, 12, 13, 12, 13, 12, 12]  # 124 communities
    for k, ((sid, sname, lat, lon, tribunal), n_comm) in enumerate(zip(_BAOAN_STREETS, per_street)):
        b.center(sid, f"{sname} 分中心", "street", d, lat, lon, rooms=4 if tribunal else 3,
                 platforms=[c.value for c in _PLATFORMS if tribunal and c in (Category.LABOR, Category.MARRIAGE_FAMILY)],
                 judge_halfdays_per_week=3 if tribunal else 2, fixed_judge_slots=[dict(weekday=k % 5, half="am")])
        if tribunal:
            b.courts.append(dict(id=f"court_{sid}", name=f"{sname} 人民法庭", lat=lat, lon=lon, center=sid))
        communities[sid] = []
        for i in range(n_comm):
            clat, clon = _around(rng, lat, lon, 3.0)
            communities[sid].append(b.center(f"{sid}_c{i + 1:02d}", f"{sname} 社区 {i + 1}", "community", sid, clat, clon, rooms=1))
    # Experts (~1,250). Full-time mediators: 2 per community, 10 per street, 20 at the district.
    for sid, comms in communities.items():
        for c in comms:
            _mediators(b, c, 2, (30, 50), True)
            b.expert(Role.COUNSELOR, c, max_travel_minutes=40, languages=_languages(rng, True))  # one per community
        _mediators(b, sid, 10, (40, 70), True)
        for _ in range(20):
            b.expert(Role.LAWYER, sid, _categories(rng, _ORDINARY + _PLATFORMS, 5), max_travel_minutes=60,
                     affiliations=[rng.choice(_COMPANIES)] if rng.random() < 0.3 else [], languages=_languages(rng, True))
        for _ in range(12):
            b.expert(Role.SOCIAL_WORKER, sid, max_travel_minutes=45)
        for _ in range(10):
            b.expert(Role.VOLUNTEER, sid, max_travel_minutes=30)
        b.expert(Role.COUNSELOR, sid, max_travel_minutes=60)
        for _ in range(2):
            b.expert(Role.POLICE, sid, max_travel_minutes=45, online_capable=False)
        b.expert(Role.WOMENS_FEDERATION, sid, max_travel_minutes=60)
    _mediators(b, d, 20, (60, 90), True)
    for cat in _PLATFORMS:  # industry mediators: 40 per platform, at the district and the tribunal streets
        for _ in range(40):
            home = d if rng.random() < 0.5 else rng.choice([s[0] for s in _BAOAN_STREETS if s[4]])
            cats = {cat: rng.randint(3, 5)}
            b.expert(Role.INDUSTRY_MEDIATOR, home, cats, industry=cat.value, max_travel_minutes=rng.randint(60, 90),
                     affiliations=[rng.choice(_COMPANIES)] if rng.random() < 0.2 else [], languages=_languages(rng, True))
    for sid, _n, lat, lon, tribunal in _BAOAN_STREETS:
        if tribunal:
            _judges(b, f"court_{sid}", sid, 12)
    # Arrivals: ~370 a day, ordinary disputes mostly at communities, industry ones at streets/district.
    all_comms = [c for cs in communities.values() for c in cs]
    for cat, share in _BAOAN_MIX.items():
        daily = 370 * share
        if cat in (Category.NEIGHBOR, Category.PROPERTY_MANAGEMENT, Category.MARRIAGE_FAMILY, Category.EDUCATION):
            for c in all_comms:
                b.arrival(c, cat, daily * 0.7 / len(all_comms))
            for sid, *_ in _BAOAN_STREETS:
                b.arrival(sid, cat, daily * 0.3 / len(_BAOAN_STREETS))
        elif cat in (Category.MEDICAL, Category.INTELLECTUAL_PROPERTY, Category.COMMERCIAL):
            b.arrival(d, cat, daily * 0.6)
            for sid, *_ in _BAOAN_STREETS:
                b.arrival(sid, cat, daily * 0.4 / len(_BAOAN_STREETS))
        else:
            for sid, *_ in _BAOAN_STREETS:
                b.arrival(sid, cat, daily * 0.8 / len(_BAOAN_STREETS))
            b.arrival(d, cat, daily * 0.2)
    return b.scenario(_rotation(b), 370)


# -- Jinwan (Zhuhai) --------------------------------------------------------------------------------

_JINWAN_TOWNS = [("sanzao", "三灶镇 Sanzao", 22.0410, 113.3720), ("hongqi", "红旗镇 Hongqi", 22.1420, 113.3350),
                 ("nanshui", "南水镇 Nanshui", 21.9610, 113.2440), ("pingsha", "平沙镇 Pingsha", 22.1000, 113.1800)]


def jinwan(seed: int) -> Scenario:
    rng = random.Random(seed)
    b = _Builder(
        "jinwan", seed,
        "Jinwan district, Zhuhai: 4 towns (Sanzao, Hongqi, Nanshui, Pingsha) with their communities; the court's civil "
        "division, people's tribunal and case-filing division each send a judging team to the town centers weekly.",
        {
            "4 towns": "REPORT: Sanzao, Hongqi, Nanshui, Pingsha town centers",
            "3 judging teams rotating weekly": "REPORT: civil division, people's tribunal, case-filing division, fixed time every week",
            "2,560 disputes a year": "REPORT: 2,560+ disputes this year, 96% resolved",
            "communities per town, expert numbers": "ASSUMPTION",
        },
        rng,
    )
    d = b.center("jinwan", "金湾区矛盾纠纷多元调处中心 Jinwan District Center", "district", None, 22.1470, 113.3620, rooms=4,
                 platforms=[Category.LABOR.value, Category.MARRIAGE_FAMILY.value])
    b.courts.append(dict(id="jinwan_court", name="金湾区人民法院 Jinwan People's Court", lat=22.1450, lon=113.3600, center=None))
    towns = []
    for k, (tid, tname, lat, lon) in enumerate(_JINWAN_TOWNS):
        towns.append(b.center(tid, f"{tname} 调处中心", "street", d, lat, lon, rooms=2, judge_halfdays_per_week=1,
                              fixed_judge_slots=[dict(weekday=k + 1, half="am")]))
        for i in range(rng.randint(5, 8)):
            clat, clon = _around(rng, lat, lon, 4.0)
            c = b.center(f"{tid}_c{i + 1}", f"{tname} 社区 {i + 1}", "community", tid, clat, clon, rooms=1)
            _mediators(b, c, 1, (30, 50), True)
        _mediators(b, tid, 6, (40, 70), True)
        for _ in range(3):
            b.expert(Role.LAWYER, tid, _categories(rng, _ORDINARY, 5), max_travel_minutes=60)
        b.expert(Role.COUNSELOR, tid, max_travel_minutes=60)
        b.expert(Role.SOCIAL_WORKER, tid, max_travel_minutes=45)
        b.expert(Role.POLICE, tid, max_travel_minutes=45, online_capable=False)
    _mediators(b, d, 6, (60, 90), True)
    for cat in (Category.LABOR, Category.MARRIAGE_FAMILY):
        for _ in range(4):
            b.expert(Role.INDUSTRY_MEDIATOR, d, {cat: rng.randint(3, 5)}, industry=cat.value, max_travel_minutes=90)
    for team in ("Civil division team 民事审判庭", "People's tribunal team 人民法庭", "Case-filing division team 立案庭"):
        e = b.expert(Role.JUDGE, d, court="jinwan_court", court_days=[], qualifications=["judicial_confirmation"],
                     max_travel_minutes=120, max_rotation_halfdays_per_week=2, max_rotation_halfdays_per_month=8)
        e["name"] = team
    mix = {Category.LABOR: 0.25, Category.NEIGHBOR: 0.2, Category.MARRIAGE_FAMILY: 0.2, Category.PROPERTY_MANAGEMENT: 0.1,
           Category.LAND: 0.08, Category.DEBT: 0.1, Category.ROAD_TRAFFIC: 0.07}
    for cat, share in mix.items():  # 2,560 a year ≈ 7 a day
        for t in towns:
            b.arrival(t, cat, 2560 / 365 * share / len(towns))
    return b.scenario(_rotation(b), 12)


# -- Sajin street (Xingyi, Guizhou) -----------------------------------------------------------------


def sajin(seed: int) -> Scenario:
    rng = random.Random(seed)
    b = _Builder(
        "sajin", seed,
        "Sajin street, Xingyi (Guizhou): 1 street and 5 communities, 31 mediators and legal-literate persons, the 2023 case mix.",
        {
            "1 street + 5 communities": "REPORT",
            "31 mediators and legal-literate persons": "REPORT",
            "2023 mix: 186 marriage, 34 neighbor, 68 labor, 22 property, 17 education": "REPORT (used as yearly arrival rates)",
            "split 16 mediators / 15 legal-literate, 2 counselors, 1 police liaison, 1 rotating judge": "ASSUMPTION",
        },
        rng,
    )
    st = b.center("sajin", "洒金街道 Sajin Street Center", "street", None, 25.0890, 104.8950, rooms=2,
                  judge_halfdays_per_week=1, fixed_judge_slots=[dict(weekday=2, half="am")])
    comms = []
    for i in range(5):
        lat, lon = _around(rng, 25.0890, 104.8950, 2.5)
        comms.append(b.center(f"sajin_c{i + 1}", f"洒金社区 {i + 1}", "community", st, lat, lon, rooms=1))
    mix = {Category.MARRIAGE_FAMILY: 186, Category.NEIGHBOR: 34, Category.LABOR: 68, Category.PROPERTY_MANAGEMENT: 22,
           Category.EDUCATION: 17}
    cats = list(mix)
    for i in range(16):
        b.expert(Role.MEDIATOR, comms[i % 5] if i < 10 else st, _categories(rng, cats, 4), max_travel_minutes=40)
    for i in range(15):
        b.expert(Role.LEGAL_LITERATE, comms[i % 5], max_travel_minutes=30, online_capable=rng.random() < 0.5)
    for _ in range(2):
        b.expert(Role.COUNSELOR, st, max_travel_minutes=40)
    b.expert(Role.POLICE, st, max_travel_minutes=40, online_capable=False)
    b.courts.append(dict(id="xingyi_court", name="兴义市人民法院 Xingyi People's Court", lat=25.0920, lon=104.8960))
    _judges(b, "xingyi_court", st, 1)
    for cat, yearly in mix.items():
        for c in [st, *comms]:
            b.arrival(c, cat, yearly / 365 / 6)
    return b.scenario(_rotation(b), 8)


# -- Jinzhou (Liaoning) -----------------------------------------------------------------------------

_JINZHOU_COUNTIES = [("guta", "古塔区 Guta", 41.130, 121.130), ("linghe", "凌河区 Linghe", 41.115, 121.150),
                     ("taihe", "太和区 Taihe", 41.105, 121.100), ("heishan", "黑山县 Heishan", 41.690, 122.120),
                     ("yixian", "义县 Yixian", 41.530, 121.240), ("linghai", "凌海市 Linghai", 41.170, 121.360),
                     ("beizhen", "北镇市 Beizhen", 41.590, 121.800), ("songshan", "松山新区 Songshan", 41.080, 121.050),
                     ("kaifa", "经济技术开发区 Development Zone", 40.960, 121.080)]


def jinzhou(seed: int, progress: Callable[[str], None] | None = None) -> Scenario:
    rng = random.Random(seed)
    b = _Builder(
        "jinzhou", seed,
        "Jinzhou (Liaoning): city platform, 9 county-level centers, 117 township stations, 1,366 village mediation rooms, "
        "6,749 mediators plus lawyers, counselors and rotating judges.",
        {
            "9 counties, 117 townships, 1,366 villages": "REPORT",
            "6,749 mediators": "REPORT (1,618 mediation organizations with 6,749 mediators)",
            "10,481 mediated since 2017, 98.94% success": "REPORT",
            "~40 new cases a day across the city": "ASSUMPTION (the report's cumulative figure implies far fewer recorded; we plan for current volumes)",
            "lawyers, counselors, judges (5 per county court)": "ASSUMPTION",
        },
        rng,
    )
    city = b.center("jinzhou", "锦州市矛盾纠纷多元调处中心 Jinzhou City Center", "city", None, 41.1200, 121.1270, rooms=6,
                    platforms=[c.value for c in _PLATFORMS])
    townships_per = [13] * 9
    townships_per[0] += 0  # 117 = 9 x 13
    villages_left, townships_left = 1366, 117
    mediators_left = 6749
    for k, (cid, cname, lat, lon) in enumerate(_JINZHOU_COUNTIES):
        if progress:
            progress(f"county {k + 1}/9 {cid}")
        county = b.center(cid, f"{cname} 调处中心", "district", city, lat, lon, rooms=3, judge_halfdays_per_week=2,
                          fixed_judge_slots=[dict(weekday=k % 5, half="pm")])
        b.courts.append(dict(id=f"court_{cid}", name=f"{cname} 人民法院", lat=lat, lon=lon, center=cid))
        _judges(b, f"court_{cid}", cid, 5)
        _mediators(b, county, 12, (60, 120), False)
        mediators_left -= 12
        for _ in range(30):
            b.expert(Role.LAWYER, county, _categories(rng, _ORDINARY, 5), max_travel_minutes=90)
        for _ in range(15):
            b.expert(Role.COUNSELOR, county, max_travel_minutes=90)
        for _ in range(4):
            b.expert(Role.POLICE, county, max_travel_minutes=60, online_capable=False)
        for t in range(townships_per[k]):
            tlat, tlon = _around(rng, lat, lon, 25.0)
            town = b.center(f"{cid}_t{t + 1:02d}", f"{cname} 乡镇 {t + 1}", "street", county, tlat, tlon, rooms=2)
            townships_left -= 1
            n_vil = round(villages_left / (townships_left + 1))
            villages_left -= n_vil
            _mediators(b, town, 10, (40, 60), False)
            mediators_left -= 10
            for v in range(n_vil):
                vlat, vlon = _around(rng, tlat, tlon, 6.0)
                b.center(f"{town}_v{v + 1:02d}", f"村调解室 {v + 1}", "community", town, vlat, vlon, rooms=1)
    # The remaining mediators (6,749 in all) sit in the village rooms, spread evenly.
    villages = [c["id"] for c in b.centers if c["level"] == "community"]
    for i in range(mediators_left):
        _mediators(b, villages[i % len(villages)], 1, (20, 45), False)
    mix = {Category.LAND: 0.18, Category.NEIGHBOR: 0.2, Category.MARRIAGE_FAMILY: 0.2, Category.DEBT: 0.15, Category.LABOR: 0.12,
           Category.PROPERTY_MANAGEMENT: 0.08, Category.ROAD_TRAFFIC: 0.07}
    towns = [c["id"] for c in b.centers if c["level"] == "street"]
    for cat, share in mix.items():
        for t in towns:
            b.arrival(t, cat, 40 * share / len(towns))
    return b.scenario(_rotation(b), 60)


GENERATORS: dict[str, Callable[[int], Scenario]] = {"baoan": baoan, "jinwan": jinwan, "sajin": sajin, "jinzhou": jinzhou}
DEFAULT_SEEDS = {"baoan": 2023, "jinwan": 2023, "sajin": 2023, "jinzhou": 2017}


def generate_scenario(name: str, seed: int | None = None) -> Scenario:
    """Generate a bundled scenario by name (seed defaults to the one the committed file was made with)."""
    if name not in GENERATORS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(sorted(GENERATORS))}")
    return GENERATORS[name](DEFAULT_SEEDS[name] if seed is None else seed)


# -- cases ------------------------------------------------------------------------------------------


def generate_cases(scenario: Scenario, n: int, seed: int, day: dt.date | None = None) -> tuple[Case, ...]:
    """`n` open cases as of `day` (default: the scenario's today), drawn from its arrival rates.

    Every case is servable by the scenario's pool: roles are only asked for when someone of that role
    can fill the seat for the category (and speaks the case's language)."""
    rng = random.Random(seed)
    day = day or scenario.today
    rates = [a for a in scenario.arrivals if a.per_day > 0]
    if not rates:
        raise ValueError(f"scenario {scenario.name!r} has no arrival rates to draw cases from")
    weights = [a.per_day for a in rates]
    can = _Servable(scenario)
    orgs = sorted({o for e in scenario.experts for o in e.affiliations} | set(_COMPANIES))
    guangdong = any("yue" in e.languages for e in scenario.experts)
    by_center = scenario.center_by_id
    cases = []
    for i in range(n):
        a = rng.choices(rates, weights)[0]
        cat, center = a.category, a.center
        received = dt.datetime.combine(day - dt.timedelta(days=rng.randint(0, 4)), dt.time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])))
        level = by_center[center].level.value
        risk = "low"
        roles: list[Role] = [Role.MEDIATOR]
        if cat in INDUSTRY_CATEGORIES and rng.random() < 0.7 and can(Role.INDUSTRY_MEDIATOR, cat):
            roles = [Role.INDUSTRY_MEDIATOR]
        if cat == Category.MARRIAGE_FAMILY and rng.random() < 0.12:
            risk = "high"  # 民转刑 risk: counselor (and police / women's federation where there are some)
            for extra, p in ((Role.COUNSELOR, 1.0), (Role.POLICE, 0.4), (Role.WOMENS_FEDERATION, 0.3)):
                if rng.random() < p and can(extra, cat):
                    roles.append(extra)
        elif rng.random() < 0.2:
            risk = "medium"
        if rng.random() < 0.07 and can(Role.JUDGE, cat):
            roles.append(Role.JUDGE)  # judicial confirmation of the agreement (司法确认)
            # Confirmation happens where judges are stationed: the nearest center up the tree
            # that the rotation covers (a community case goes to its street sub-center).
            while by_center[center].judge_halfdays_per_week == 0 and by_center[center].parent is not None:
                center = by_center[center].parent  # type: ignore[assignment]
            if rng.random() < 0.4 and can(Role.LAWYER, cat):
                roles.append(Role.LAWYER)
        elif cat in (Category.LABOR, Category.DEBT, Category.COMMERCIAL) and rng.random() < 0.15 and can(Role.LAWYER, cat):
            roles.append(Role.LAWYER)
        language = "zh"
        if guangdong:
            x = rng.random()
            language = "yue" if x < 0.07 else "hak" if x < 0.10 else "zh"
            if not all(can(r, cat, language) for r in roles):
                language = "zh"
        days = 7 if risk == "high" else 15 if level == "community" else 30
        parties = [dict(name=_name(rng), phone=f"13{rng.randint(100000000, 999999999)}")]
        if cat in (Category.LABOR, Category.COMMERCIAL, Category.MEDICAL, Category.PROPERTY_MANAGEMENT, Category.EDUCATION):
            parties.append(dict(name=_name(rng), organization=rng.choice(orgs)))
        else:
            parties.append(dict(name=_name(rng), phone=f"13{rng.randint(100000000, 999999999)}"))
        cases.append(
            Case.model_validate(
                dict(
                    id=f"{scenario.name}-{day.strftime('%Y%m%d')}-{i + 1:05d}", category=cat, center=center, parties=parties,
                    received=received.isoformat(), deadline=(received.date() + dt.timedelta(days=days)).isoformat(), risk=risk,
                    needs_roles=[r.value for r in roles], language=language, online_allowed=rng.random() < 0.7,
                )
            )
        )
    return tuple(cases)


class _Servable:
    """Can someone in the scenario fill `role` for `category` (speaking `language`)?"""

    def __init__(self, scenario: Scenario) -> None:
        self._experts = scenario.experts
        self._cache: dict[tuple[Role, Category, str | None], bool] = {}

    def __call__(self, role: Role, category: Category, language: str | None = None) -> bool:
        key = (role, category, language)
        if key not in self._cache:
            self._cache[key] = any(
                e.role in (role, Role.INDUSTRY_MEDIATOR) and e.can_fill(role, category) and (language is None or language in e.languages)
                for e in self._experts
            )
        return self._cache[key]
