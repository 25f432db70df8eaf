"""Page labels in English and Chinese. ``?lang=zh|en`` switches (and is remembered in a cookie)."""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT = "zh"

LABELS: dict[str, tuple[str, str]] = {
    # key: (English, 中文)
    "app": ("Dispute-resolution matcher", "多元调处匹配"),
    "login": ("Log in", "登录"),
    "logout": ("Log out", "退出"),
    "api_key": ("API key", "API 密钥"),
    "login_help": ("Use the API key your administrator gave you.", "请输入管理员发给您的 API 密钥。"),
    "login_failed": ("Unknown or revoked API key.", "API 密钥无效或已吊销。"),
    "signed_in_as": ("Signed in as", "当前用户"),
    "role": ("Role", "角色"),
    "role_admin": ("administrator", "管理员"),
    "role_coordinator": ("coordinator", "调度员"),
    "role_court_staff": ("court staff", "法院工作人员"),
    "role_planner": ("planner", "规划人员"),
    "nav_queue": ("Queue", "待办案件"),
    "nav_case": ("Urgent case", "紧急案件"),
    "nav_rotation": ("Rotation calendar", "法官轮驻日历"),
    "nav_compare": ("Scenario comparison", "方案比较"),
    "language": ("中文", "English"),
    "forbidden": ("Your role may not use this page.", "您的角色无权使用此页面。"),
    "error": ("Error", "错误"),
    "done": ("Done", "完成"),
    # queue
    "queue_title": ("Open cases", "未结案件"),
    "center": ("Center", "中心"),
    "centers": ("Centers", "中心"),
    "show": ("Show", "显示"),
    "case": ("Case", "案件"),
    "category": ("Category", "类别"),
    "received": ("Received", "收案时间"),
    "deadline": ("Deadline", "期限"),
    "risk": ("Risk", "风险"),
    "status": ("Status", "状态"),
    "announced": ("announced", "已公布"),
    "open": ("open", "待分配"),
    "propose": ("Propose assignment", "生成分配方案"),
    "recent_proposals": ("Recent proposals", "最近的方案"),
    "no_cases": ("No open cases in your area.", "您的辖区内没有未结案件。"),
    # job
    "job": ("Job", "任务"),
    "running": ("Running…", "运行中…"),
    "progress": ("Progress", "进度"),
    "job_failed": ("The job failed", "任务失败"),
    "job_cancelled": ("The job was cancelled", "任务已取消"),
    # proposal
    "proposal": ("Proposal", "分配方案"),
    "objective": ("Objective", "目标值"),
    "gap": ("Gap", "差距"),
    "solve_time": ("Solve time (s)", "求解时间（秒）"),
    "team": ("Team", "团队"),
    "slot": ("Slot", "时段"),
    "online": ("online", "线上"),
    "travel": ("Travel (min)", "路程（分钟）"),
    "why": ("Why", "理由"),
    "alternatives": ("Alternatives", "备选"),
    "no_alternatives": ("none", "无"),
    "accept": ("Accept", "接受"),
    "accepted": ("Accepted", "已接受"),
    "override": ("Override", "改派"),
    "reason": ("Reason", "理由"),
    "choice": ("Use", "采用"),
    "custom": ("custom team below", "下方自定义团队"),
    "team_field": ("Team (role:expert, …)", "团队（角色:专家, …）"),
    "date": ("Date", "日期"),
    "half": ("Half-day", "半天"),
    "am": ("am", "上午"),
    "pm": ("pm", "下午"),
    "unassigned": ("Unassigned cases", "未分配案件"),
    "reasons": ("Reasons", "原因"),
    "diagnosis": ("Blocking rules", "阻碍规则"),
    "proficiency": ("proficiency", "专业度"),
    "score": ("score", "评分"),
    "lost_by": ("costs", "代价"),
    "msg_accepted": ("Line accepted and announced.", "已接受并公布。"),
    "msg_published": ("Calendar published: later solves place judges by it.", "日历已发布，后续排案按此安排法官。"),
    "msg_overridden": ("Override recorded with its reason.", "改派已记录（含理由）。"),
    "lines": ("Lines", "条目"),
    # urgent case
    "case_title": ("One urgent case", "单个紧急案件"),
    "pick_case": ("Pick a case", "选择案件"),
    "recommend": ("Recommend", "推荐"),
    "recommendations": ("Top recommendations", "最佳推荐"),
    "rank": ("#", "序号"),
    "earliest_slot": ("Earliest slot", "最早时段"),
    "cost": ("Cost", "代价"),
    "no_team": ("No team fits this case:", "没有合适的团队："),
    # rotation
    "rotation_title": ("Judge rotation calendar", "法官轮驻日历"),
    "plan": ("Plan", "计划"),
    "plans": ("Plans", "计划列表"),
    "plan_new": ("Plan calendar", "生成日历"),
    "weeks": ("Weeks", "周数"),
    "week": ("Week", "周"),
    "judge": ("Judge", "法官"),
    "all_judges": ("all judges", "全部法官"),
    "shortfall": ("coverage shortfall", "覆盖不足"),
    "changed": ("changed by the re-plan", "重新排班后变化"),
    "ical": ("Download iCalendar", "下载 iCalendar"),
    "publish": ("Publish", "发布"),
    "published": ("Published", "已发布"),
    "absent": ("Mark judge absent and re-plan", "标记法官缺席并重新排班"),
    "from": ("From", "从"),
    "to": ("To", "至"),
    "replan": ("Re-plan", "重新排班"),
    "changes": ("Changes", "变化"),
    "before": ("Before", "之前"),
    "after": ("After", "之后"),
    "none": ("—", "—"),
    "no_plan": ("No calendar planned yet.", "尚未生成日历。"),
    "replanned_from": ("Re-planned from", "重新排班自"),
    "unresolved": ("No calendar covers every center without this judge. Shown: the calendar in force minus the absence.",
                   "没有该法官时无法覆盖所有中心。显示的是现行日历去掉缺席后的情况。"),
    "planned_required": ("planned / required half-days", "已排 / 需要 半天数"),
    # compare
    "compare_title": ("Scenario comparison", "方案比较"),
    "base": ("Base", "基准"),
    "variants": ("Variants", "变体"),
    "days": ("Days", "天数"),
    "replications": ("Replications", "重复次数"),
    "seed": ("Seed", "随机种子"),
    "assigner": ("Assigner", "分配器"),
    "run": ("Run comparison", "运行比较"),
    "kpi": ("KPI", "指标"),
    "difference": ("vs base", "与基准差"),
    "significant": ("significant", "显著"),
    "report": ("Planner's report (plots)", "规划报告（图表）"),
    "open_report": ("Open the report", "打开报告"),
    "recent_runs": ("Recent comparisons", "最近的比较"),
    # domain values (category, role): shown as "中文 (value)" in Chinese so ids stay searchable
    "cat_marriage_family": ("marriage & family", "婚恋家庭"),
    "cat_neighbor": ("neighbours", "邻里"),
    "cat_labor": ("labour", "劳动争议"),
    "cat_property_management": ("property management", "物业"),
    "cat_education": ("education", "教育"),
    "cat_commercial": ("commercial", "商事"),
    "cat_medical": ("medical", "医患"),
    "cat_intellectual_property": ("intellectual property", "知识产权"),
    "cat_road_traffic": ("road traffic", "道路交通"),
    "cat_land": ("land", "土地权属"),
    "cat_debt": ("debt", "债务"),
    "cat_other": ("other", "其他"),
    "seat_mediator": ("mediator", "调解员"),
    "seat_industry_mediator": ("industry mediator", "行业调解员"),
    "seat_lawyer": ("lawyer", "律师"),
    "seat_counselor": ("counselor", "心理咨询师"),
    "seat_social_worker": ("social worker", "社工"),
    "seat_volunteer": ("volunteer", "义工"),
    "seat_judge": ("judge", "法官"),
    "seat_notary": ("notary", "公证员"),
    "seat_arbitrator": ("arbitrator", "劳动仲裁员"),
    "seat_police": ("police", "警调联动民警"),
    "seat_grid_worker": ("grid worker", "网格员"),
    "seat_legal_literate": ("legal literate", "法律明白人"),
}


def pick(requested: str | None, cookie: str | None) -> str:
    for lang in (requested, cookie):
        if lang in LANGS:
            return lang  # type: ignore[return-value]
    return DEFAULT


def translator(lang: str):  # type: ignore[no-untyped-def]
    i = 0 if lang == "en" else 1

    def t(key: str) -> str:
        pair = LABELS.get(key)
        if pair:
            return pair[i]
        for prefix in ("cat_", "seat_"):  # an unknown domain value shows as itself
            if key.startswith(prefix):
                return key[len(prefix):]
        return key

    return t
