// Every string the page shows, in English and Simplified Chinese, and the language choice.
// Static elements name their string with data-i18n (text), data-i18n-placeholder,
// data-i18n-aria-label or data-i18n-title; code builds everything else with t(). The strings of
// the mini program picker live in strings-apps.js.

import { APPS_STRINGS } from "./strings-apps.js";

const STORAGE_KEY = "tcbfc.lang";

/** Languages offered by the switch, in its order. */
export const LANGUAGES = ["en", "zh-CN"];

const STRINGS = {
  en: {
    "app.title": "Cloud function configuration",
    "app.subtitle": "Read, compare and edit the configuration of WeChat cloud functions.",
    "fleet.link": "Fleet",
    "lang.label": "Language",

    "role.viewer": "Viewer",
    "role.admin": "Admin",
    "role.direct": "Direct mode",
    "role.label": "Signed in as {role}",
    "via.key": "with an access key",
    "via.access": "through Cloudflare Access",
    "signout": "Sign out",

    "signin.title": "Sign in",
    "signin.intro": "Enter the access key you were given. It is kept only in this tab and forgotten when the tab closes.",
    "signin.key": "Access key",
    "signin.submit": "Sign in",
    "signin.access": "Signed in through Cloudflare Access? Continue without a key",
    "signin.checking": "Checking the key…",
    "signin.expired": "Your access key is no longer accepted. Sign in again.",

    "direct.summary": "Development: direct mode",
    "direct.intro": "Calls a CORS-enabled base URL (such as the local simulator) from this page with the package's own wasm client, without the Worker. Not for production: the token is sent from the browser.",
    "direct.baseUrl": "Base URL",
    "direct.token": "Access token",
    "direct.submit": "Use direct mode",
    "direct.loading": "Loading the wasm client…",

    "query.title": "Look up a function",
    "query.env": "Environment",
    "query.function": "Function name",
    "query.type": "Configuration",
    "query.typeAll": "All three",
    "query.submit": "Look up",
    "recent.title": "Recent",
    "recent.clear": "Clear recent",
    "recent.none": "Your recent lookups appear here.",

    "busy": "Loading…",
    "results.heading": "{functionName} in {env}",

    "kind.cloudCall": "Cloud call permissions",
    "kind.timerTrigger": "Timer triggers",
    "kind.environment": "Environment",
    "kind.type": "Type {type}",

    "notConfigured.title": "Not configured",
    "notConfigured.body": "This function has no configuration of this type (errcode 85089).",

    "cloudCall.filter": "Filter APIs",
    "cloudCall.count": "{shown} of {total} APIs",
    "cloudCall.noMatch": "No API matches the filter.",
    "cloudCall.none": "No cloud-call API is allowed.",

    "timer.name": "Name",
    "timer.type": "Type",
    "timer.cron": "Cron expression",
    "timer.caption": "Cron fields: second minute hour day month weekday year. Times are UTC+8.",
    "timer.none": "No timer trigger.",
    "timer.noNextRun": "No run left.",
    "timer.scheduleError": "Not understood: {reason}",

    "timeline.heading": "Schedule: {name}",
    "timeline.loading": "Loading the timeline…",
    "timeline.failed": "The timeline could not be loaded.",
    "timeline.count.one": "1 run in the next 7 days",
    "timeline.count.other": "{n} runs in the next 7 days",
    "timeline.more": "More than {max} runs in the next 7 days (about {n})",
    "timeline.summary": "{count}, next at {time} (UTC+8)",
    "timeline.noneInWindow": "No runs in the next 7 days. Next run: {time} (UTC+8).",
    "timeline.noneLeft": "No run left: the expression has no future fire time.",
    "timeline.runs.one": "1 run",
    "timeline.runs.other": "{n} runs",
    "timeline.moreShort": "more than {max} (about {n})",
    "timeline.nextRuns": "Next runs (UTC+8):",

    "env.timeout": "Timeout",
    "env.seconds": "{n} s",
    "env.variables": "Variables",
    "env.key": "Key",
    "env.value": "Value",
    "env.actions": "Actions",
    "env.masked": "Hidden value, {n} characters",
    "env.maskedNoLength": "Hidden value",
    "env.chars": "{n} chars",
    "env.reveal": "Reveal",
    "env.revealing": "Revealing…",
    "env.hide": "Hide",
    "env.copy": "Copy",
    "env.copied": "Copied",
    "env.copyFailed": "Copy failed",
    "env.copiedStatus": "The value of {key} was copied.",
    "env.revealLabel": "Reveal the value of {key}",
    "env.hideLabel": "Hide the value of {key}",
    "env.copyLabel": "Copy the value of {key}",
    "env.none": "No environment variables.",

    "raw.show": "Show raw JSON",
    "raw.hide": "Hide raw JSON",
    "raw.masked": "Environment values are removed from this copy.",
    "raw.notJson": "Not valid JSON; shown exactly as received.",

    "error.title": "The request failed",
    "error.code": "Code",
    "error.errcode": "errcode",
    "error.errmsg": "errmsg",
    "error.hint": "What to do",
    "error.httpStatus": "HTTP status",
    "error.retryable": "Retryable",
    "error.retryableYes": "Yes, the same request may work later",
    "error.retryableNo": "No",

    "error.code.unauthorized": "This access key was not accepted.",
    "error.code.forbidden": "Your role may not do this.",
    "error.code.invalid_argument": "The environment, function name or type is not valid.",
    "error.code.api": "WeChat answered with an error.",
    "error.code.misconfigured": "The Worker is not configured correctly.",
    "error.code.internal": "The Worker had an unexpected error.",
    "error.code.http": "A server on the way answered with an HTTP error.",
    "error.code.network": "The server could not be reached.",
    "error.code.timeout": "The server took too long to answer.",
    "error.code.decode": "The answer was not in the expected shape.",
    "error.code.aborted": "The request was cancelled.",

    "views.label": "Views",
    "views.lookup": "Configurations",
    "views.compare": "Compare environments",

    "browse.submit": "Functions",
    "browse.title": "Functions in {env}",
    "browse.loading": "Loading the functions…",
    "browse.failed": "The functions could not be listed.",
    "browse.none": "No functions in this environment.",
    "browse.count.one": "1 function",
    "browse.count.other": "{total} functions",
    "browse.range": "Functions {from}–{to} of {total}. Choose one to look it up.",
    "browse.name": "Name",
    "browse.runtime": "Runtime",
    "browse.status": "Status",
    "browse.modified": "Modified (UTC+8)",
    "browse.unknown": "not given",
    "browse.pages": "Pages",
    "browse.prev": "Previous",
    "browse.next": "Next",
    "browse.page": "Page {page} of {pages}",

    "compare.title": "Compare two environments",
    "compare.intro": "One function's configuration of one type in two environments, side by side. Environment values stay hidden.",
    "compare.function": "Function to compare",
    "compare.type": "Config type",
    "compare.envA": "Environment A",
    "compare.envB": "Environment B",
    "compare.submit": "Compare",
    "compare.heading": "{functionName}: {envA} and {envB}",
    "compare.side": "{side} · {env}",
    "compare.changes": "Changes from {envA} to {envB}",
    "compare.same": "No difference: both are the same.",
    "compare.failed": "The comparison failed.",

    "changes.none": "No change.",
    "changes.op.added": "Added",
    "changes.op.removed": "Removed",
    "changes.op.changed": "Changed",
    "changes.field.openapi": "permission",
    "changes.field.triggers": "trigger",
    "changes.field.timeout": "setting",
    "changes.field.environment": "variable",
    "version.label": "Version",

    "edit.open.cloudCall": "Edit permissions",
    "edit.open.timerTrigger": "Edit trigger",
    "edit.open.environment": "Edit environment",
    "edit.close": "Close editor",
    "edit.title.cloudCall": "Edit cloud call permissions",
    "edit.title.timerTrigger": "Edit the timer trigger",
    "edit.title.environment": "Edit the environment",
    "edit.unavailableDirect": "Editing is not available in direct mode with this build of the package.",
    "edit.preview": "Preview changes",
    "edit.previewGrant": "Preview grant",
    "edit.previewTrigger": "Preview trigger",
    "edit.cancel": "Cancel",
    "edit.back": "Back",
    "edit.save": "Save",
    "edit.checking": "Preparing the preview…",
    "edit.saving": "Saving…",
    "edit.reloading": "Reloading…",
    "edit.fixErrors": "{n} fields need fixing. Nothing was sent.",
    "edit.nothing": "Nothing to change: the configuration already is like this.",
    "edit.previewTitle": "Review the changes",
    "edit.previewIntro": "Save writes these changes to {functionName} in {env}. Nothing is written until then.",
    "edit.saved.one": "Saved: 1 change written.",
    "edit.saved.other": "Saved: {n} changes written.",
    "edit.reloaded": "Reloaded: this is the configuration on the server now.",
    "edit.reload": "Reload",

    "edit.timeout": "Timeout (seconds)",
    "edit.timeoutHint": "A whole number from 1 to 300.",
    "edit.valuesHint": "Existing values stay hidden: to change one, type its new value.",
    "edit.changeValue": "Change value",
    "edit.changeValueLabel": "Change the value of {key}",
    "edit.keepValue": "Keep value",
    "edit.keepValueLabel": "Keep the current value of {key}",
    "edit.delete": "Delete",
    "edit.deleteLabel": "Delete {key}",
    "edit.undoDelete": "Keep",
    "edit.undoDeleteLabel": "Keep {key}",
    "edit.willDelete": "Will be deleted.",
    "edit.newValueOf": "New value of {key}",
    "edit.newKey": "New key",
    "edit.newValue": "Value",
    "edit.addVariable": "Add variable",
    "edit.removeRow": "Remove",
    "edit.removeRowLabel": "Remove new variable {key}",
    "edit.show": "Show",
    "edit.showValueLabel": "Show the value typed for {key}",

    "edit.grant": "Grant APIs",
    "edit.grantHint": "API names as <category>.<method>, separated by commas or spaces.",
    "edit.revokeTitle": "Granted APIs",
    "edit.revoke": "Revoke",
    "edit.revokeLabel": "Revoke {name}",

    "edit.oneTrigger": "WeChat allows one timer trigger per function: setting one replaces the current one.",
    "edit.triggerName": "Trigger name",
    "edit.triggerNameHint": "1–60 letters, digits, - and _, starting with a letter.",
    "edit.triggerCron": "Cron expression",
    "edit.cronHint": "7 fields: second minute hour day month weekday year, in UTC+8.",
    "edit.cronLoading": "Loading the cron checker…",
    "edit.removeTitle": "Current trigger",
    "edit.removeTrigger": "Remove trigger",
    "edit.removeTriggerLabel": "Remove trigger {name}",

    "edit.error.timeout": "Enter a whole number of seconds from 1 to 300.",
    "edit.error.valueRequired": "Type the new value, or keep the current one.",
    "edit.error.keyRequired": "Enter a key for this value.",
    "edit.error.key": "Use letters, digits and _, not starting with a digit.",
    "edit.error.keyExists": "{key} is already set: use Change value on its row.",
    "edit.error.keyRepeated": "{key} is added twice.",
    "edit.error.namesRequired": "Enter at least one API name.",
    "edit.error.names": "Not an API name of the form <category>.<method>: {names}",
    "edit.error.triggerNameRequired": "Enter a name for the trigger.",
    "edit.error.triggerName": "Use 1–60 letters, digits, - and _, starting with a letter.",
    "edit.error.cronRequired": "Enter a cron expression.",

    "edit.conflict.title": "Someone else changed this configuration",
    "edit.conflict.body": "It changed on the server after you loaded it, so nothing was saved. Reload to see the configuration as it is now; your edit is discarded.",
    "edit.conflict.yours": "What you loaded",
    "edit.conflict.theirs": "On the server now",
    "edit.conflict.changes": "What changed since you loaded it",
    "edit.conflict.noChanges": "No difference can be seen.",
    "edit.conflict.hiddenOnly": "No change can be seen: only hidden values may have changed.",
    "edit.conflict.hiddenNote": "Environment values are hidden, so a value that changed but kept its length does not show here.",
    "edit.unverified.body": "The change was sent, but reading it back gave something else. Reload to see what the server has now before you try again.",
    "edit.unverified.written": "What was written",
    "edit.unverified.readBack": "What was read back",
    "edit.unverified.changes": "How what was read back differs",
    "edit.unknown_outcome.body": "It is not known whether the change was written. Reload to see what the server has now before you try again.",

    "error.code.conflict": "The configuration changed on the server; nothing was saved.",
    "error.code.unverified": "The change could not be confirmed.",
    "error.code.unknown_outcome": "It is not known whether the change was written.",
    "error.code.unavailable": "Not available in direct mode with this build of the package.",
    "error.code.not_found": "The server does not offer this yet.",

    "errcode.-1": "WeChat is busy. Try again in a moment.",
    "errcode.-1000": "WeChat had a system error. Try again in a moment.",
    "errcode.40001": "WeChat says the access token is invalid or was replaced by a newer one.",
    "errcode.40014": "WeChat refused the access token: usually the wrong kind of token for this call.",
    "errcode.41001": "No access token was sent.",
    "errcode.42001": "The access token has expired.",
    "errcode.45009": "The daily quota for this call is used up. It resets every day.",
    "errcode.45011": "Too many calls this minute. Try again next minute.",
    "errcode.48001": "This account is not authorised for this API.",
    "errcode.61004": "The caller's IP address is not on the platform's whitelist.",
    "errcode.61007": "This third-party platform is not authorised for this API.",
    "errcode.85088": "Cloud development is not enabled for this app.",
  },

  "zh-CN": {
    "app.title": "云函数配置",
    "app.subtitle": "查看、对比和编辑微信云开发云函数的配置。",
    "fleet.link": "批量管理",
    "lang.label": "语言",

    "role.viewer": "查看者",
    "role.admin": "管理员",
    "role.direct": "直连模式",
    "role.label": "当前身份：{role}",
    "via.key": "通过访问密钥",
    "via.access": "通过 Cloudflare Access",
    "signout": "退出登录",

    "signin.title": "登录",
    "signin.intro": "请输入分配给你的访问密钥。密钥只保存在当前标签页中，关闭标签页后即被清除。",
    "signin.key": "访问密钥",
    "signin.submit": "登录",
    "signin.access": "已通过 Cloudflare Access 登录？无需密钥，直接继续",
    "signin.checking": "正在验证密钥…",
    "signin.expired": "访问密钥已不再有效，请重新登录。",

    "direct.summary": "开发用：直连模式",
    "direct.intro": "不经过 Worker，由本页面用软件包自带的 wasm 客户端直接调用支持 CORS 的基础 URL（例如本地模拟器）。请勿用于生产环境：令牌会从浏览器发出。",
    "direct.baseUrl": "基础 URL",
    "direct.token": "访问令牌",
    "direct.submit": "使用直连模式",
    "direct.loading": "正在加载 wasm 客户端…",

    "query.title": "查询云函数",
    "query.env": "环境 ID",
    "query.function": "云函数名称",
    "query.type": "配置类型",
    "query.typeAll": "全部三种",
    "query.submit": "查询",
    "recent.title": "最近查询",
    "recent.clear": "清除记录",
    "recent.none": "最近的查询会显示在这里。",

    "busy": "加载中…",
    "results.heading": "{env} 环境中的 {functionName}",

    "kind.cloudCall": "云调用权限",
    "kind.timerTrigger": "定时触发器",
    "kind.environment": "环境配置",
    "kind.type": "类型 {type}",

    "notConfigured.title": "未配置",
    "notConfigured.body": "该云函数没有此类型的配置（errcode 85089）。",

    "cloudCall.filter": "筛选接口",
    "cloudCall.count": "显示 {shown} / 共 {total} 个接口",
    "cloudCall.noMatch": "没有符合筛选条件的接口。",
    "cloudCall.none": "未允许任何云调用接口。",

    "timer.name": "名称",
    "timer.type": "类型",
    "timer.cron": "Cron 表达式",
    "timer.caption": "Cron 字段：秒 分 时 日 月 星期 年。时间为 UTC+8（北京时间）。",
    "timer.none": "没有定时触发器。",
    "timer.noNextRun": "之后不再执行。",
    "timer.scheduleError": "无法解析：{reason}",

    "timeline.heading": "执行计划：{name}",
    "timeline.loading": "正在加载时间轴…",
    "timeline.failed": "无法加载时间轴。",
    "timeline.count.one": "未来 7 天内执行 1 次",
    "timeline.count.other": "未来 7 天内执行 {n} 次",
    "timeline.more": "未来 7 天内执行超过 {max} 次（约 {n} 次）",
    "timeline.summary": "{count}，下次为 {time}（UTC+8）",
    "timeline.noneInWindow": "未来 7 天内不执行。下次执行：{time}（UTC+8）。",
    "timeline.noneLeft": "之后不再执行：该表达式没有未来的执行时间。",
    "timeline.runs.one": "1 次",
    "timeline.runs.other": "{n} 次",
    "timeline.moreShort": "超过 {max} 次（约 {n} 次）",
    "timeline.nextRuns": "接下来的执行时间（UTC+8）：",

    "env.timeout": "超时时间",
    "env.seconds": "{n} 秒",
    "env.variables": "环境变量",
    "env.key": "键",
    "env.value": "值",
    "env.actions": "操作",
    "env.masked": "已隐藏，共 {n} 个字符",
    "env.maskedNoLength": "已隐藏",
    "env.chars": "{n} 个字符",
    "env.reveal": "显示",
    "env.revealing": "正在显示…",
    "env.hide": "隐藏",
    "env.copy": "复制",
    "env.copied": "已复制",
    "env.copyFailed": "复制失败",
    "env.copiedStatus": "已复制 {key} 的值。",
    "env.revealLabel": "显示 {key} 的值",
    "env.hideLabel": "隐藏 {key} 的值",
    "env.copyLabel": "复制 {key} 的值",
    "env.none": "没有环境变量。",

    "raw.show": "显示原始 JSON",
    "raw.hide": "隐藏原始 JSON",
    "raw.masked": "此副本已去掉环境变量的值。",
    "raw.notJson": "不是有效的 JSON，按收到的原文显示。",

    "error.title": "请求失败",
    "error.code": "错误类型",
    "error.errcode": "errcode",
    "error.errmsg": "errmsg",
    "error.hint": "处理建议",
    "error.httpStatus": "HTTP 状态码",
    "error.retryable": "可重试",
    "error.retryableYes": "是，稍后重试可能成功",
    "error.retryableNo": "否",

    "error.code.unauthorized": "访问密钥无效。",
    "error.code.forbidden": "你的身份无权执行此操作。",
    "error.code.invalid_argument": "环境 ID、云函数名称或类型无效。",
    "error.code.api": "微信接口返回了错误。",
    "error.code.misconfigured": "Worker 配置不正确。",
    "error.code.internal": "Worker 发生了意外错误。",
    "error.code.http": "中间服务器返回了 HTTP 错误。",
    "error.code.network": "无法连接到服务器。",
    "error.code.timeout": "服务器响应超时。",
    "error.code.decode": "返回内容的格式不符合预期。",
    "error.code.aborted": "请求已取消。",

    "views.label": "视图",
    "views.lookup": "配置",
    "views.compare": "环境对比",

    "browse.submit": "函数列表",
    "browse.title": "{env} 环境中的云函数",
    "browse.loading": "正在加载云函数列表…",
    "browse.failed": "无法列出云函数。",
    "browse.none": "该环境中没有云函数。",
    "browse.count.one": "共 1 个云函数",
    "browse.count.other": "共 {total} 个云函数",
    "browse.range": "第 {from}–{to} 个，共 {total} 个云函数。选择一个即可查看其配置。",
    "browse.name": "名称",
    "browse.runtime": "运行时",
    "browse.status": "状态",
    "browse.modified": "修改时间（UTC+8）",
    "browse.unknown": "未提供",
    "browse.pages": "分页",
    "browse.prev": "上一页",
    "browse.next": "下一页",
    "browse.page": "第 {page} 页，共 {pages} 页",

    "compare.title": "对比两个环境",
    "compare.intro": "并排显示同一云函数在两个环境中的某类配置。环境变量的值保持隐藏。",
    "compare.function": "要对比的云函数",
    "compare.type": "对比类型",
    "compare.envA": "环境 A",
    "compare.envB": "环境 B",
    "compare.submit": "对比",
    "compare.heading": "{functionName}：{envA} 与 {envB}",
    "compare.side": "{side} · {env}",
    "compare.changes": "从 {envA} 到 {envB} 的差异",
    "compare.same": "没有差异：两者相同。",
    "compare.failed": "对比失败。",

    "changes.none": "没有变更。",
    "changes.op.added": "新增",
    "changes.op.removed": "删除",
    "changes.op.changed": "修改",
    "changes.field.openapi": "权限",
    "changes.field.triggers": "触发器",
    "changes.field.timeout": "设置",
    "changes.field.environment": "变量",
    "version.label": "版本",

    "edit.open.cloudCall": "编辑权限",
    "edit.open.timerTrigger": "编辑触发器",
    "edit.open.environment": "编辑环境配置",
    "edit.close": "关闭编辑",
    "edit.title.cloudCall": "编辑云调用权限",
    "edit.title.timerTrigger": "编辑定时触发器",
    "edit.title.environment": "编辑环境配置",
    "edit.unavailableDirect": "当前软件包版本在直连模式下无法编辑。",
    "edit.preview": "预览变更",
    "edit.previewGrant": "预览授权",
    "edit.previewTrigger": "预览触发器",
    "edit.cancel": "取消",
    "edit.back": "返回",
    "edit.save": "保存",
    "edit.checking": "正在生成预览…",
    "edit.saving": "正在保存…",
    "edit.reloading": "正在重新加载…",
    "edit.fixErrors": "有 {n} 处需要修改，未发送任何内容。",
    "edit.nothing": "无需变更：配置已经是这样。",
    "edit.previewTitle": "确认变更",
    "edit.previewIntro": "点击保存后，这些变更将写入 {env} 环境中的 {functionName}。在此之前不会写入任何内容。",
    "edit.saved.one": "已保存：写入了 1 项变更。",
    "edit.saved.other": "已保存：写入了 {n} 项变更。",
    "edit.reloaded": "已重新加载：这是服务器上当前的配置。",
    "edit.reload": "重新加载",

    "edit.timeout": "超时时间（秒）",
    "edit.timeoutHint": "1 到 300 之间的整数。",
    "edit.valuesHint": "已有的值保持隐藏：要修改某个值，请输入新值。",
    "edit.changeValue": "修改值",
    "edit.changeValueLabel": "修改 {key} 的值",
    "edit.keepValue": "保留原值",
    "edit.keepValueLabel": "保留 {key} 的当前值",
    "edit.delete": "删除",
    "edit.deleteLabel": "删除 {key}",
    "edit.undoDelete": "保留",
    "edit.undoDeleteLabel": "保留 {key}",
    "edit.willDelete": "将被删除。",
    "edit.newValueOf": "{key} 的新值",
    "edit.newKey": "新键",
    "edit.newValue": "值",
    "edit.addVariable": "添加变量",
    "edit.removeRow": "移除",
    "edit.removeRowLabel": "移除新变量 {key}",
    "edit.show": "显示",
    "edit.showValueLabel": "显示为 {key} 输入的值",

    "edit.grant": "授予接口权限",
    "edit.grantHint": "接口名称格式为 <category>.<method>，用逗号或空格分隔。",
    "edit.revokeTitle": "已授权的接口",
    "edit.revoke": "撤销",
    "edit.revokeLabel": "撤销 {name}",

    "edit.oneTrigger": "微信每个云函数只允许一个定时触发器：设置新的触发器会替换当前的触发器。",
    "edit.triggerName": "触发器名称",
    "edit.triggerNameHint": "1–60 个字母、数字、- 或 _，以字母开头。",
    "edit.triggerCron": "Cron 表达式",
    "edit.cronHint": "7 个字段：秒 分 时 日 月 星期 年，时间为 UTC+8。",
    "edit.cronLoading": "正在加载 Cron 校验…",
    "edit.removeTitle": "当前触发器",
    "edit.removeTrigger": "移除触发器",
    "edit.removeTriggerLabel": "移除触发器 {name}",

    "edit.error.timeout": "请输入 1 到 300 之间的整数秒数。",
    "edit.error.valueRequired": "请输入新值，或保留当前值。",
    "edit.error.keyRequired": "请为该值输入键名。",
    "edit.error.key": "只能使用字母、数字和 _，且不能以数字开头。",
    "edit.error.keyExists": "{key} 已存在：请在该行使用“修改值”。",
    "edit.error.keyRepeated": "{key} 被添加了两次。",
    "edit.error.namesRequired": "请至少输入一个接口名称。",
    "edit.error.names": "不是 <category>.<method> 格式的接口名称：{names}",
    "edit.error.triggerNameRequired": "请输入触发器名称。",
    "edit.error.triggerName": "请使用 1–60 个字母、数字、- 或 _，以字母开头。",
    "edit.error.cronRequired": "请输入 Cron 表达式。",

    "edit.conflict.title": "该配置已被他人修改",
    "edit.conflict.body": "在你加载之后，服务器上的配置发生了变化，因此没有保存任何内容。请重新加载以查看当前配置；你的编辑将被丢弃。",
    "edit.conflict.yours": "你加载的版本",
    "edit.conflict.theirs": "服务器上的当前版本",
    "edit.conflict.changes": "自你加载以来的变化",
    "edit.conflict.noChanges": "看不出差异。",
    "edit.conflict.hiddenOnly": "看不到变化：可能只有隐藏的值发生了变化。",
    "edit.conflict.hiddenNote": "环境变量的值是隐藏的，长度不变的值的变化不会显示在这里。",
    "edit.unverified.body": "变更已发送，但读回的内容与写入的不一致。请先重新加载，查看服务器上的当前配置，再决定是否重试。",
    "edit.unverified.written": "写入的内容",
    "edit.unverified.readBack": "读回的内容",
    "edit.unverified.changes": "读回的内容与写入的差异",
    "edit.unknown_outcome.body": "无法确定变更是否已写入。请先重新加载，查看服务器上的当前配置，再决定是否重试。",

    "error.code.conflict": "服务器上的配置已变化，未保存任何内容。",
    "error.code.unverified": "无法确认变更结果。",
    "error.code.unknown_outcome": "无法确定变更是否已写入。",
    "error.code.unavailable": "当前软件包版本在直连模式下不支持此操作。",
    "error.code.not_found": "服务器尚不支持此功能。",

    "errcode.-1": "微信系统繁忙，请稍后重试。",
    "errcode.-1000": "微信系统错误，请稍后重试。",
    "errcode.40001": "access_token 无效，或已被更新的令牌取代。",
    "errcode.40014": "微信拒绝了该 access_token。此接口需要第三方平台的 authorizer_access_token，小程序自身的 access_token 会被拒绝。",
    "errcode.41001": "请求中缺少 access_token。",
    "errcode.42001": "access_token 已过期。",
    "errcode.45009": "该接口今日的调用额度已用完，次日重置。",
    "errcode.45011": "本分钟内调用过于频繁，请下一分钟再试。",
    "errcode.48001": "该账号未获得此接口的权限。",
    "errcode.61004": "调用方 IP 不在第三方平台的白名单中。",
    "errcode.61007": "该第三方平台未获得此接口的权限。",
    "errcode.85088": "该小程序未开通云开发。",
  },
};

for (const lang of LANGUAGES) Object.assign(STRINGS[lang], APPS_STRINGS[lang]);

let current = "en";

/** The language in use: "en" or "zh-CN". */
export function language() {
  return current;
}

/** The stored choice, else the browser's preference (any Chinese → zh-CN), else English. */
export function initialLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled; the browser's preference still applies.
  }
  if (LANGUAGES.includes(stored)) return stored;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  for (const tag of preferred) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

/** Switches the language, updates `<html lang>` and, when `remember`, stores the choice. */
export function setLanguage(lang, { remember = false } = {}) {
  current = LANGUAGES.includes(lang) ? lang : "en";
  document.documentElement.lang = current;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, current);
    } catch {
      // Not remembered; the switch still works for this visit.
    }
  }
}

/** Adds a page's own strings (e.g. fleet-strings.js), `{en: {...}, "zh-CN": {...}}`. */
export function addStrings(more) {
  for (const lang of LANGUAGES) Object.assign(STRINGS[lang], more[lang] ?? {});
}

/** Whether a string exists for `key` (used for optional texts such as errcode explanations). */
export function has(key) {
  return Object.hasOwn(STRINGS[current], key) || Object.hasOwn(STRINGS.en, key);
}

/** The string for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

/** Fills the data-i18n* attributes of `root` and its descendants. */
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  document.title = t("app.title");
}
