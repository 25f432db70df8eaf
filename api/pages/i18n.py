"""Every label of the pages in English and Chinese (中文); ?lang=zh|en, remembered in a cookie."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Matcher", "login": "Log in", "logout": "Log out", "api_key": "API key",
        "login_help": "Use the same API key as the service.", "login_failed": "Unknown or revoked key.",
        "queue": "Queue", "urgent": "Urgent case", "rotation": "Rotation", "compare": "Compare",
        "forbidden": "Your role may not open this page.", "signed_in_as": "Signed in as",
        "open_cases": "Today's open cases", "center": "Center", "case": "Case", "category": "Category",
        "team": "Team", "slot": "Slot", "travel": "Travel (min)", "explanation": "Why", "alternatives": "Alternatives",
        "propose": "Propose assignment", "proposal": "Proposal", "accept": "Accept", "override": "Override",
        "reason": "Reason", "accepted": "Accepted", "overridden": "Overridden", "unassigned": "Unassigned cases",
        "diagnosis": "Diagnosis", "running": "Running…", "failed": "Failed", "done": "Done", "none": "None",
        "pick_case": "Pick a case", "recommend": "Recommend", "recommendations": "Top recommendations",
        "earliest": "Earliest slot", "cost": "Cost", "status": "Status", "sensitive": "Sensitive",
        "plan": "Plan rotation", "weeks": "Weeks", "week": "Week", "judge": "Judge", "all_judges": "All judges",
        "shortfall": "Coverage shortfall", "ical": "Download iCalendar", "absent": "Mark absent and re-plan",
        "from": "From", "to": "To", "changes": "Changes highlighted", "publish": "Publish",
        "base": "Base", "variants": "Variants", "days": "Days", "replications": "Replications", "run": "Run comparison",
        "progress": "Progress", "report": "Report", "kpi": "KPI", "difference": "Difference vs base",
        "language": "中文", "error": "Error", "score": "Score", "excluded": "Excluded",
        "role_coordinator": "coordinator", "role_court_staff": "court staff", "role_planner": "planner", "role_admin": "admin",
    },
    "zh": {
        "title": "调处匹配", "login": "登录", "logout": "退出", "api_key": "API 密钥",
        "login_help": "使用与服务相同的 API 密钥。", "login_failed": "密钥无效或已撤销。",
        "queue": "待办队列", "urgent": "紧急案件", "rotation": "法官轮值", "compare": "方案比较",
        "forbidden": "您的角色无权访问此页面。", "signed_in_as": "当前用户",
        "open_cases": "今日待分配案件", "center": "中心", "case": "案件", "category": "类别",
        "team": "团队", "slot": "时段", "travel": "路程（分钟）", "explanation": "理由", "alternatives": "备选",
        "propose": "生成分配建议", "proposal": "分配建议", "accept": "接受", "override": "改派",
        "reason": "理由", "accepted": "已接受", "overridden": "已改派", "unassigned": "未分配案件",
        "diagnosis": "诊断", "running": "运行中…", "failed": "失败", "done": "完成", "none": "无",
        "pick_case": "选择案件", "recommend": "推荐", "recommendations": "推荐结果",
        "earliest": "最早时段", "cost": "成本", "status": "状态", "sensitive": "敏感",
        "plan": "生成轮值表", "weeks": "周数", "week": "周", "judge": "法官", "all_judges": "全部法官",
        "shortfall": "覆盖不足", "ical": "下载 iCalendar", "absent": "标记缺勤并重新排班",
        "from": "开始", "to": "结束", "changes": "变更已高亮", "publish": "发布",
        "base": "基准方案", "variants": "比较方案", "days": "天数", "replications": "重复次数", "run": "运行比较",
        "progress": "进度", "report": "报告", "kpi": "指标", "difference": "与基准之差",
        "language": "English", "error": "错误", "score": "得分", "excluded": "排除",
        "role_coordinator": "协调员", "role_court_staff": "法院工作人员", "role_planner": "规划人员", "role_admin": "管理员",
    },
}


def pick_lang(query: str | None, cookie: str | None) -> str:
    for lang in (query, cookie):
        if lang in LABELS:
            return lang  # type: ignore[return-value]
    return "zh"
