"""The console's words in Chinese (the default) and English."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("zh", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("城市卡清算中心 · 后台", "City card clearing center · back office"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "bad_sign_in": ("用户名或密码错误", "Wrong user name or password"),
    "locked": (
        "登录失败次数过多，账户已锁定 15 分钟",
        "Too many failed sign-ins: locked for 15 minutes",
    ),
    "alarms": ("预警", "Alarms"),
    "card": ("卡片", "Card"),
    "devices": ("设备", "Devices"),
    "settlement": ("结算", "Settlement"),
    "audit": ("审计", "Audit"),
    "filter": ("筛选", "Filter"),
    "all": ("全部", "All"),
    "state": ("状态", "State"),
    "rule": ("规则", "Rule"),
    "severity": ("级别", "Severity"),
    "subject": ("对象", "Subject"),
    "summary": ("说明", "Summary"),
    "evidence": ("证据（设备/序号）", "Evidence (device/seq)"),
    "amount": ("金额（元）", "Amount (yuan)"),
    "raised_at": ("产生时间", "Raised"),
    "acknowledge": ("确认", "Acknowledge"),
    "close": ("关闭", "Close"),
    "note": ("处理说明", "Note"),
    "closed_by": ("处理人", "Closed by"),
    "no_alarms": ("没有符合条件的预警", "No alarms match"),
    "state_open": ("未处理", "open"),
    "state_acknowledged": ("已确认", "acknowledged"),
    "state_closed": ("已关闭", "closed"),
    "sev_critical": ("严重", "critical"),
    "sev_high": ("高", "high"),
    "sev_medium": ("中", "medium"),
    "sev_low": ("低", "low"),
    "rule_value_from_nowhere": ("无来源余额（疑似伪造充值）", "Value from nowhere (forged load?)"),
    "rule_atc_gap": ("联机交易序号跳号", "Online ATC gap"),
    "rule_integrity_failures": ("TAC/MAC 校验失败", "TAC/MAC failures"),
    "rule_offline_baseline": ("脱机充值异常增多", "Offline top-ups above baseline"),
    "rule_velocity": ("短时多网点充值", "Top-ups at several outlets"),
    "rule_clerk_pattern": ("柜员异常（冲正/退款/长短款）", "Clerk pattern (voids/refunds/cash)"),
    "rule_silence": ("设备长时间未上传", "Device silent"),
    "rule_grant_without_records": ("联机授权无日志记录", "Grant without journal records"),
    "rule_sam_counter_gap": ("SAM 交易序号断号/重复", "SAM counter gap or repeat"),
    "card_serial": ("卡号", "Card serial"),
    "look_up": ("查询", "Look up"),
    "ledger": ("账务", "Ledger"),
    "records": ("交易记录", "Records"),
    "passes": ("年卡", "Annual passes"),
    "blacklist_history": ("黑名单记录", "Blacklist history"),
    "last_balance": ("最近余额（元）", "Last known balance (yuan)"),
    "time": ("时间", "Time"),
    "device": ("设备", "Device"),
    "terminal": ("终端号", "Terminal"),
    "seq": ("序号", "Seq"),
    "kind": ("类型", "Kind"),
    "operator": ("柜员", "Clerk"),
    "method": ("支付方式", "Payment"),
    "before": ("交易前（元）", "Before (yuan)"),
    "after": ("交易后（元）", "After (yuan)"),
    "action": ("操作", "Action"),
    "reason": ("原因", "Reason"),
    "none": ("无", "none"),
    "enrolled": ("注册时间", "Enrolled"),
    "head_seq": ("已收序号", "Head seq"),
    "last_record": ("最新记录时间", "Newest record"),
    "lag": ("滞后", "Lag"),
    "open_alarms": ("未处理预警", "Open alarms"),
    "devices_read_only": (
        "设备状态只读：暂停与吊销待中心授权功能上线后提供。",
        "Devices are read-only: suspend and revoke arrive with the center-authority work.",
    ),
    "date": ("日期", "Date"),
    "show": ("显示", "Show"),
    "takings_by_hour": (
        "按小时、支付方式统计的充值金额",
        "Top-up takings by hour and payment method",
    ),
    "outlet": ("网点", "Outlet"),
    "count": ("笔数", "Count"),
    "total": ("合计（元）", "Total (yuan)"),
    "grey": ("灰记录", "Grey records"),
    "who": ("人员", "Who"),
    "target": ("对象", "Target"),
    "detail": ("详情", "Detail"),
    "not_allowed": ("您的角色无权执行此操作", "Your role may not do this"),
    "bad_form": ("表单已过期，请重试", "The form expired; try again"),
    "step_refused": ("操作未执行", "Not done"),
    "role": ("角色", "Role"),
    "language": ("English", "中文"),
    "unknown_card": ("中心没有这张卡的记录", "The center holds nothing of this card"),
    "bad_serial": ("卡号为 2–20 位十六进制数字", "A card serial is 2-20 hex digits"),
    "bad_date": ("日期格式为 YYYY-MM-DD", "A date is YYYY-MM-DD"),
    "valid_until": ("有效期至", "Valid until"),
    "product": ("产品", "Product"),
}


def translator(language: str) -> Callable[[str], str]:
    """The text function of ``language`` (unknown keys show as themselves)."""
    index = 1 if language == "en" else 0

    def text(key: str) -> str:
        pair = TEXTS.get(key)
        return key if pair is None else pair[index]

    return text
