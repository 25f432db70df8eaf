"""Server-rendered pages for coordinators, court staff and planners (``/web/...``).

The pages only translate: each one calls the same route functions and services the JSON API uses
(scope checks, jobs, audit included), so a page can never show or do more than the API would for
the same person. Errors the API reports on purpose (:class:`Problem`) become a message on the page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy import select

from ..core.problems import Problem
from ..db.models import AssignmentRow, CaseRow, CenterRow, JobRow, ProposalRow, RotationPlanRow, SimulationRunRow
from ..deps import SessionDep, SettingsDep
from ..routes import cases as cases_routes
from ..routes import jobs as jobs_routes
from ..routes import proposals as proposal_routes
from ..routes import rotation as rotation_routes
from ..routes import simulations as simulation_routes
from ..schemas import OverrideIn
from ..services.scope import Principal, visible_centers
from ..services.simulations import catalogue
from ..services.store import current_scenario
from . import i18n, session
from .replan import request_replan

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(prefix="/web", include_in_schema=False)

#: Which pages each role may open (admin: all).
PAGES = {
    "coordinator": ("queue", "case"),
    "court_staff": ("rotation",),
    "planner": ("compare",),
    "admin": ("queue", "case", "rotation", "compare"),
}


class LoginRequired(Exception):
    pass


class PageError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


async def web_user(request: Request, db: SessionDep, settings: SettingsDep) -> Principal:
    who = session.principal(db, settings, request.cookies.get(session.COOKIE))
    if who is None:
        raise LoginRequired
    request.state.web_user = who  # for the error page's header
    return who


WebUser = Annotated[Principal, Depends(web_user)]


def allow(who: Principal, page: str) -> None:
    if page not in PAGES.get(who.role, ()):
        raise PageError(403, "forbidden")


def lang_of(request: Request) -> str:
    return i18n.pick(request.query_params.get("lang"), request.cookies.get(session.LANG_COOKIE))


def render(request: Request, name: str, who: Principal | None, status: int = 200, **ctx: Any) -> HTMLResponse:
    lang = lang_of(request)
    other = "en" if lang == "zh" else "zh"
    t = i18n.translator(lang)
    msg = request.query_params.get("msg")
    if msg:  # "<case>: <code>" from an action → the translated sentence
        subject, _, code = msg.rpartition(": ")
        if f"msg_{code}" in i18n.LABELS:
            msg = f"{subject}: {t('msg_' + code)}" if subject else t("msg_" + code)
    resp = templates.TemplateResponse(request, name, {
        "t": t, "lang": lang, "who": who, "pages": PAGES.get(who.role, ()) if who else (),
        "switch_url": str(request.url.include_query_params(lang=other)), "msg": msg,
        "err": request.query_params.get("err"), **ctx,
    }, status_code=status)
    if request.query_params.get("lang") in i18n.LANGS:
        resp.set_cookie(session.LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return resp


def back(url: str, *, msg: str | None = None, err: str | None = None) -> RedirectResponse:
    sep = "&" if "?" in url else "?"
    if msg:
        url += f"{sep}msg={quote(msg)}"
    elif err:
        url += f"{sep}err={quote(err)}"
    return RedirectResponse(url, status_code=303)


async def form(request: Request) -> dict[str, str]:
    """The url-encoded form body (the pages post plain HTML forms; no multipart needed)."""
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}


def validation_text(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(map(str, err["loc"]))
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where} = {err.get('input')!r}: {msg}" if where else msg


def problem_text(e: Problem) -> str:
    violations = e.extra.get("violations") if e.extra else None
    if violations:
        return e.detail + " — " + "; ".join(v["message"] for v in violations[:3])
    return e.detail


# ---------------------------------------------------------------------------------------- login


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", None, failed=request.query_params.get("failed") == "1")


@router.post("/login")
async def login_submit(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    token = (await form(request)).get("token", "")
    value = session.login(db, settings, token) if token else None
    if value is None:
        return RedirectResponse("/web/login?failed=1", status_code=303)
    resp = RedirectResponse("/web/", status_code=303)
    resp.set_cookie(session.COOKIE, value, max_age=session.SESSION_SECONDS, httponly=True, samesite="lax",
                    secure=settings.environment == "production")
    return resp


@router.post("/logout")
def logout() -> Response:
    resp = RedirectResponse("/web/login", status_code=303)
    resp.delete_cookie(session.COOKIE)
    return resp


@router.get("/")
def home(who: WebUser) -> Response:
    first = PAGES.get(who.role, ("queue",))[0]
    return RedirectResponse(f"/web/{first}", status_code=303)


# ---------------------------------------------------------------------------------------- jobs

RESULT_PAGES = {"assign": "/web/proposals/{}", "rotate": "/web/rotation?plan={}", "replan": "/web/rotation?plan={}",
                "compare": "/web/compare/{}"}


def _job(db, who: Principal, job_id: str) -> JobRow:  # type: ignore[no-untyped-def]
    try:
        jobs_routes._scoped_job(db, who, job_id)  # the API's own visibility rule
    except Problem as e:
        raise PageError(e.status, e.detail) from None
    job = db.get(JobRow, job_id)
    assert job is not None
    return job


def _job_state(job: JobRow) -> dict[str, Any]:
    done = job.status == "succeeded" and job.result_id
    return {"status": job.status, "progress": job.progress, "message": job.message or "", "error": job.error,
            "next": RESULT_PAGES[job.kind].format(job.result_id) if done else None}


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: str, request: Request, db: SessionDep, who: WebUser) -> Response:
    job = _job(db, who, job_id)
    state = _job_state(job)
    if state["next"]:
        return RedirectResponse(state["next"], status_code=303)
    return render(request, "job.html", who, job=job, state=state)


@router.get("/jobs/{job_id}/state")
def job_state(job_id: str, db: SessionDep, who: WebUser) -> JSONResponse:
    return JSONResponse(_job_state(_job(db, who, job_id)))


# ---------------------------------------------------------------------------------------- queue


def _area_centers(db, who: Principal) -> list[CenterRow]:  # type: ignore[no-untyped-def]
    area = visible_centers(db, who)
    rows = db.scalars(select(CenterRow).order_by(CenterRow.id))
    return [c for c in rows if area is None or c.id in area]


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, db: SessionDep, who: WebUser) -> HTMLResponse:
    allow(who, "queue")
    centers = _area_centers(db, who)
    default = who.center_id if who.center_id in {c.id for c in centers} else (centers[0].id if centers else None)
    center = request.query_params.get("center") or default
    if center not in {c.id for c in centers}:
        raise PageError(404, f"center {center!r} not found")
    from ..services.scope import subtree_ids

    subtree = subtree_ids(db, center) if center else set()
    rows = cases_routes.list_cases(db, who, status="open", limit=5000, offset=0)
    announced = set(db.scalars(select(AssignmentRow.case_id)))
    cases = [c for c in rows if c.center in subtree]
    proposals = list(db.scalars(select(ProposalRow).where(ProposalRow.center_id == center)
                                .order_by(ProposalRow.created_at.desc()).limit(5)))
    return render(request, "queue.html", who, centers=centers, center=center, cases=cases, announced=announced,
                  proposals=proposals)


@router.post("/queue/propose")
async def propose(request: Request, db: SessionDep, who: WebUser, settings: SettingsDep) -> Response:
    allow(who, "queue")
    center = (await form(request)).get("center", "")
    try:
        job = proposal_routes.request_proposal(center, request, Response(), db, who, settings, None, None)
    except Problem as e:
        return back(f"/web/queue?center={quote(center)}", err=problem_text(e))
    return RedirectResponse(f"/web/jobs/{job.id}", status_code=303)


def _travel(expl: dict[str, Any]) -> float | None:
    minutes = [s["travel_minutes"] for s in expl.get("seats", []) if s.get("travel_minutes") is not None]
    return max(minutes) if minutes else None


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
async def proposal_page(proposal_id: str, request: Request, db: SessionDep, who: WebUser) -> HTMLResponse:
    allow(who, "queue")
    try:
        raw = await proposal_routes.get_proposal(proposal_id, request, db, who)
    except Problem as e:
        raise PageError(e.status, e.detail) from None
    p = json.loads(raw.body)
    categories = {cid: cat for cid, cat in db.execute(select(CaseRow.id, CaseRow.category))}
    for ln in p["lines"]:
        ln["category"] = categories.get(ln["case"])
        ln["travel"] = _travel(ln["explanation"])
    for u in p["unassigned"]:
        u["category"] = categories.get(u.get("case"))
    announced = {a.case_id: a for a in db.scalars(select(AssignmentRow).where(AssignmentRow.proposal_id == proposal_id))}
    return render(request, "proposal.html", who, p=p, announced=announced)


def _seats(text: str) -> list[dict[str, str]]:
    seats = []
    for part in text.replace("，", ",").split(","):
        if part.strip():
            role, _, expert = part.strip().partition(":")
            seats.append({"role": role.strip(), "expert": expert.strip()})
    return seats


@router.post("/proposals/{proposal_id}/lines/{case_id}/accept")
def accept(proposal_id: str, case_id: str, request: Request, db: SessionDep, who: WebUser) -> Response:
    allow(who, "queue")
    here = f"/web/proposals/{proposal_id}"
    try:
        proposal_routes.accept_line(proposal_id, case_id, db, who)
    except Problem as e:
        return back(here, err=f"{case_id}: {problem_text(e)}")
    return back(here, msg=f"{case_id}: accepted")


@router.post("/proposals/{proposal_id}/lines/{case_id}/override")
async def override(proposal_id: str, case_id: str, request: Request, db: SessionDep, who: WebUser) -> Response:
    allow(who, "queue")
    here = f"/web/proposals/{proposal_id}"
    f = await form(request)
    choice = f.get("choice", "custom")
    try:
        if choice.startswith("alt"):
            raw = await proposal_routes.get_proposal(proposal_id, request, db, who)
            line = next((ln for ln in json.loads(raw.body)["lines"] if ln["case"] == case_id), None)
            alts = (line or {}).get("explanation", {}).get("alternatives", [])
            i = int(choice[3:]) if choice[3:].isdigit() else -1
            if not 0 <= i < len(alts):
                return back(here, err=f"choice = {choice!r}: no such alternative")
            a = alts[i]
            data: dict[str, Any] = {"team": a["team"], "online": a["online"], "reason": f.get("reason", "")}
            if a["slot"]:
                data["slot"] = _slot(a["slot"])
        else:
            data = {"team": _seats(f.get("team", "")), "online": f.get("online") == "on", "reason": f.get("reason", "")}
            if f.get("date"):
                data["slot"] = {"date": f["date"], "half": f.get("half", "am")}
        body = OverrideIn.model_validate(data)
        proposal_routes.override_line(proposal_id, case_id, body, db, who)
    except ValidationError as e:
        return back(here, err=f"{case_id}: {validation_text(e)}")
    except Problem as e:
        return back(here, err=f"{case_id}: {problem_text(e)}")
    return back(here, msg=f"{case_id}: overridden")


def _slot(text: str) -> dict[str, str]:
    """'2024-03-05 am' or '2024-03-05-am' (how TimeSlot prints) → the slot's JSON."""
    text = text.strip()
    date, half = text[:10], text[10:].strip(" -_").lower()
    return {"date": date, "half": half or "am"}


# ---------------------------------------------------------------------------------------- one case


@router.get("/case", response_class=HTMLResponse)
async def case_page(request: Request, db: SessionDep, who: WebUser) -> HTMLResponse:
    allow(who, "case")
    announced = set(db.scalars(select(AssignmentRow.case_id)))
    cases = [c for c in cases_routes.list_cases(db, who, status="open", limit=5000, offset=0) if c.id not in announced]
    case_id = request.query_params.get("case") or None
    result, error = None, None
    if case_id:
        try:
            result = await cases_routes.recommend_for_case(case_id, request, db, who, k=5)
        except Problem as e:
            error = e.detail
    if result:
        for r in result["recommendations"]:
            r["travel"] = _travel(r["explanation"])
    return render(request, "case.html", who, cases=cases, case_id=case_id, result=result, error=error)


# ---------------------------------------------------------------------------------------- rotation


def _grid(entries: list[dict[str, Any]], summary: dict[str, Any]) -> dict[str, Any]:
    start = dt.date.fromisoformat(summary["start"])
    weeks = int(summary["weeks"])
    cells: dict[tuple[str, int], set[str]] = defaultdict(set)
    for e in entries:
        cells[e["center"], (dt.date.fromisoformat(e["slot"]["date"]) - start).days // 7].add(e["judge"])
    changed: set[tuple[str, int]] = set()
    for c in summary.get("changes", []):
        w = (dt.date.fromisoformat(c["slot"]["date"]) - start).days // 7
        for center in (c["before"], c["after"]):
            if center:
                changed.add((center, w))
    cov = {(r["center"], r["week"] - 1): r for r in summary.get("coverage", [])}
    centers = sorted({r["center"] for r in summary.get("coverage", [])} | {e["center"] for e in entries})
    rows = []
    for c in centers:
        row = []
        for w in range(weeks):
            r = cov.get((c, w), {"planned": len(cells[c, w]), "required": 0})
            row.append({"judges": sorted(cells[c, w]), "planned": r["planned"], "required": r["required"],
                        "short": r["planned"] < r["required"], "changed": (c, w) in changed})
        rows.append((c, row))
    mondays = [(start + dt.timedelta(weeks=w)).isoformat() for w in range(weeks)]
    return {"mondays": mondays, "rows": rows}


@router.get("/rotation", response_class=HTMLResponse)
def rotation_page(request: Request, db: SessionDep, who: WebUser) -> HTMLResponse:
    allow(who, "rotation")
    plans = list(db.scalars(select(RotationPlanRow).order_by(RotationPlanRow.created_at.desc()).limit(10)))
    plan_id = request.query_params.get("plan") or (plans[0].id if plans else None)
    judge = request.query_params.get("judge") or None
    plan, grid, judge_rows = None, None, None
    if plan_id:
        try:
            plan = rotation_routes.get_plan(plan_id, db, who)
        except Problem as e:
            raise PageError(e.status, e.detail) from None
        if plan["entries"] or plan["summary"].get("coverage"):
            grid = _grid(plan["entries"], plan["summary"])
        if judge:
            moved = {(c["slot"]["date"], c["slot"]["half"]) for c in plan["summary"].get("changes", []) if c["judge"] == judge}
            judge_rows = sorted(({**e, "changed": (e["slot"]["date"], e["slot"]["half"]) in moved}
                                 for e in plan["entries"] if e["judge"] == judge), key=lambda e: (e["slot"]["date"], e["slot"]["half"]))
    judges = sorted(j.id for j in current_scenario(db).judges)
    return render(request, "rotation.html", who, plans=plans, plan=plan, grid=grid, judge=judge, judge_rows=judge_rows,
                  judges=judges)


@router.post("/rotation/plan")
async def rotation_plan(request: Request, db: SessionDep, who: WebUser, settings: SettingsDep) -> Response:
    allow(who, "rotation")
    f = await form(request)
    try:
        body = rotation_routes.RotationPlanCreate(weeks=int(f.get("weeks") or 4))
        job = rotation_routes.request_plan(request, Response(), db, who, settings, body, None)
    except (ValueError, ValidationError) as e:
        return back("/web/rotation", err=f"weeks = {f.get('weeks')!r}: {e}")
    except Problem as e:
        return back("/web/rotation", err=problem_text(e))
    return RedirectResponse(f"/web/jobs/{job.id}", status_code=303)


@router.post("/rotation/{plan_id}/replan")
async def rotation_replan(plan_id: str, request: Request, db: SessionDep, who: WebUser, settings: SettingsDep) -> Response:
    allow(who, "rotation")
    f = await form(request)
    here = f"/web/rotation?plan={plan_id}"
    try:
        start = dt.date.fromisoformat(f.get("start", ""))
        end = dt.date.fromisoformat(f.get("end") or f.get("start", ""))
    except ValueError:
        return back(here, err=f"start = {f.get('start')!r}: not a date (YYYY-MM-DD)")
    try:
        job = request_replan(db, who, request.app.state.jobs, settings, plan_id, f.get("judge", ""), start, end)
    except Problem as e:
        return back(here, err=problem_text(e))
    return RedirectResponse(f"/web/jobs/{job.id}", status_code=303)


@router.post("/rotation/{plan_id}/publish")
def rotation_publish(plan_id: str, db: SessionDep, who: WebUser) -> Response:
    allow(who, "rotation")
    here = f"/web/rotation?plan={plan_id}"
    try:
        rotation_routes.publish_plan(plan_id, db, who)
    except Problem as e:
        return back(here, err=problem_text(e))
    return back(here, msg="published")


@router.get("/rotation/{plan_id}/calendar.ics")
def rotation_ical(plan_id: str, request: Request, db: SessionDep, who: WebUser) -> Response:
    allow(who, "rotation")
    judge = request.query_params.get("judge") or None
    try:
        resp = rotation_routes.plan_ical(plan_id, db, who, judge=judge, center=None)
    except Problem as e:
        raise PageError(e.status, e.detail) from None
    name = f"rotation-{judge or 'all'}.ics"
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


# ---------------------------------------------------------------------------------------- compare


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, db: SessionDep, who: WebUser) -> HTMLResponse:
    allow(who, "compare")
    runs = list(db.scalars(select(SimulationRunRow).order_by(SimulationRunRow.created_at.desc()).limit(10)))
    if who.role != "admin":
        runs = [r for r in runs if r.created_by == who.user_id or who.role == "planner"]
    return render(request, "compare.html", who, catalogue=catalogue(), runs=runs)


@router.post("/compare")
async def compare_run(request: Request, db: SessionDep, who: WebUser) -> Response:
    allow(who, "compare")
    body = (await request.body()).decode("utf-8", "replace")
    multi = parse_qs(body, keep_blank_values=True)
    f = {k: v[-1] for k, v in multi.items()}
    base = f.get("base", "")
    variants = [base] + [v for v in multi.get("variant", []) if v and v != base]
    try:
        create = simulation_routes.SimulationCreate(
            variants=variants, days=int(f.get("days") or 10), replications=int(f.get("replications") or 2),
            seed=int(f.get("seed") or 7), assigner=f.get("assigner") or "greedy")
        job = simulation_routes.request_comparison(request, Response(), db, who, create, None)
    except ValidationError as e:
        return back("/web/compare", err=validation_text(e))
    except ValueError as e:
        return back("/web/compare", err=str(e))
    except Problem as e:
        return back("/web/compare", err=problem_text(e))
    return RedirectResponse(f"/web/jobs/{job.id}", status_code=303)


@router.get("/compare/{run_id}", response_class=HTMLResponse)
def compare_result(run_id: str, request: Request, db: SessionDep, who: WebUser) -> HTMLResponse:
    allow(who, "compare")
    try:
        run = simulation_routes.get_comparison(run_id, db, who)
    except Problem as e:
        raise PageError(e.status, e.detail) from None
    return render(request, "compare_result.html", who, run=run)


@router.get("/compare/{run_id}/report.html", response_class=HTMLResponse)
def compare_report(run_id: str, db: SessionDep, who: WebUser) -> HTMLResponse:
    allow(who, "compare")
    try:
        return simulation_routes.comparison_report(run_id, db, who)
    except Problem as e:
        raise PageError(e.status, e.detail) from None
