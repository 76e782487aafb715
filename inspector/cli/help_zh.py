"""The Chinese ``--help`` texts of the command line, laid over the English ones by :mod:`inspector.cli.help_language`.

The English texts stay where they are written (command docstrings, ``help=`` of options); this module only holds
their Chinese. Keys are command paths: ``("sync", "export")`` is ``inspector sync export``, ``()`` the root.
A parameter adds its name to its command's path: an option its long name (``("sync", "export", "--out")``), an
argument its name (``("sync", "import", "file")``).

Options that are defined once and used by many commands (``--db``, ``--lang``, ``--database-url``, …) are keyed by
their name *and* their English help in :data:`SHARED_PARAMS`: the same text means the same option everywhere, and
an edited English text no longer matches, so ``tests/inspector/test_cli_help_lang.py`` names it until its Chinese
is brought up to date.
"""

from __future__ import annotations

from typing import Final

COMMANDS: Final[dict[tuple[str, ...], str]] = {
    (): "铝业集团安全与质量检查工具，离线优先。不带命令运行即打开检查应用。",
    ("demo",): (
        "创建演示用的铝业集团（单位、车间、班组、人员、两项活动、检查表，以及一个月的历史检查、隐患和整改记录）。"
        "重复运行不会改变任何数据。"
    ),
    ("labels",): (
        "打印二维码标签（A4 纸，每张 6 枚，99.1 × 93.1 mm 标签纸，如 Avery L7166），每个检查点或车间一枚，"
        "二维码下方印有中英文名称和编号。"
    ),
    ("verify",): "将回执与已保存的检查记录核对，或逐条校验审计链；任何一项不符即以退出码 1 结束。",
    ("template",): "校验并导入检查表模板（TOML/YAML、XLSX/CSV 表格、XLSForm）。",
    ("template", "check"): "校验检查表文件并列出其内容；有问题时逐条列出问题及其位置（退出码 1）。",
    ("template", "import"): "将检查表文件保存为模板的新版本（内容相同则不会重复保存）。",
    ("server",): "中心同步服务器：启动服务，登记和撤销设备。",
    ("server", "enroll"): "登记一台设备并打印它的一次性登记码（同时显示为二维码）。",
    ("server", "devices"): "列出所有设备及其角色、状态和最近一次同步时间。",
    ("server", "revoke"): "撤销一台设备：其令牌立即失效（该笔记本上尚未同步的记录仍会保留）。",
    ("server", "new-epoch"): "从备份恢复数据库之后使用：开启新纪元，让每台设备重新发送可能丢失的数据。",
    ("server", "audit-verify"): "校验服务器的哈希链审计日志，并报告第一条断链的记录。",
    ("server", "import-bundle"): (
        "将离线包直接导入服务器数据库（规则与联网推送相同；重复导入不会改变任何数据）。\n\n"
        "若设置 INSPECTOR_SERVER_ACCEPT_LEGACY_BUNDLES=false，尚未登记自己签名密钥的笔记本写出的离线包将被拒绝。"
    ),
    ("sync",): "将本机与中心服务器同步（或通过离线包文件同步）。",
    ("sync", "enroll"): "用一次性登记码将本机登记到服务器。",
    ("sync", "export"): "将本机待同步的变更写入带签名的离线包文件，供没有网络的厂区使用。",
    ("sync", "import"): (
        "将另一台笔记本的离线包导入本主管笔记本（无需网络）。\n\n"
        "离线包先用本集团的设备密钥校验，密钥在本机上次同步时获取。\n\n"
        "再按服务器的规则应用（该设备的权限、已签署的检查不可更改、各项业务规则）；冲突留在“同步冲突”界面处理。\n\n"
        "下次 `inspector sync` 时原样转交服务器。同一离线包重复导入不会改变任何数据。"
    ),
    ("sync", "rotate"): "为本机更换新的设备令牌（旧令牌立即失效）。",
    ("export",): "导出报告：检查报告、活动总结、表彰名单。",
    ("export", "inspection"): "检查报告：表头、得分与等级、全部检查项、发现的隐患、签名及回执码。",
    ("export", "summary"): (
        "活动总结：检查覆盖情况、各层级得分、按等级统计的隐患、整改情况、逾期的整改通知，并附得分趋势图和隐患图表。"
    ),
    ("export", "commendation"): (
        "总结表彰大会的表彰名单：有最终决定时取最终决定，否则取提名，再否则取评奖规则的评定结果"
        "（按 --as-of 的日期，默认为活动最后一天）。"
    ),
    ("awards",): "活动的评奖资格：逐条列出每项标准的实际值、门槛和是否达到，以及排名和名额。",
    ("awards", "decisions"): "导出已记录的提名，或总结表彰大会的最终决定名单。",
    ("awards", "rules"): "评奖规则文件：为活动导入新版本。",
    ("awards", "rules", "import"): "将规则文件保存为该活动的下一个版本（内容未变则不保存）。",
    ("quality",): "班组质量指标、6S 结果和创新项目。",
    ("quality", "import"): (
        "导入班组质量指标（一次合格率、不良率、返工率、客诉、6S）或创新项目；只要有一行有误就全部不导入，"
        "并逐行指出错误。"
    ),
}
"""Chinese help of every command and group, by command path."""

PARAMS: Final[dict[tuple[str, ...], str]] = {
    ("--lang",): "界面语言：zh 或 en。",
    ("demo", "--seed"): "生成历史数据所用的随机种子（种子相同，数据相同）。",
    ("labels", "--out"): "输出文件：.pdf（A4 标签页）、.svg 或 .png（每页一个文件）。",
    ("labels", "--unit"): "只打印该单位的标签（填单位编号）。",
    ("labels", "--workshop"): "只打印该车间的标签（填车间编号，或“单位编号/车间编号”）。",
    ("labels", "--per"): "每个检查点一枚（checkpoint），或每个车间一枚（workshop）。",
    ("verify", "receipt"): "回执文本（即回执二维码解码后的内容）。",
    ("verify", "--chain"): "校验数据库文件、整条审计链及每条已签署的记录。",
    ("template", "check", "--items"): "列出全部检查项，而不只列出各章节。",
    ("server", "--host"): "监听地址（默认 127.0.0.1）。",
    ("server", "--port"): "端口（默认 8765）。",
    ("server", "--workers"): "uvicorn 工作进程数（默认 1）。",
    ("server", "enroll", "--name"): "设备名称，例如笔记本的资产标签号。",
    ("server", "enroll", "--role"): (
        "角色：inspector（检查员）、team-leader（班组长）、supervisor（主管）或 auditor（审核员）。"
    ),
    ("server", "enroll", "--person"): "使用该设备人员的人员编号（花名册中的编号）。",
    ("server", "enroll", "--url"): "笔记本连接服务器所用的地址（写入提示文字和二维码）。",
    ("server", "revoke", "device"): "设备名称或 ID。",
    ("server", "import-bundle", "file"): "由 `inspector sync export` 写出的离线包。",
    ("sync", "--retry-rejected"): "再次发送被服务器拒收的变更（问题修正之后使用）。",
    ("sync", "enroll", "url"): "服务器地址，例如 http://10.0.0.5:8765",
    ("sync", "enroll", "code"): "`inspector server enroll` 打印的一次性登记码。",
    ("sync", "export", "--out"): "要写入的离线包文件（例如 U 盘上的文件）。",
    ("sync", "import", "file"): "另一台笔记本上由 `inspector sync export` 写出的离线包。",
    ("sync", "import", "--to-server"): ("改为直接交给服务器（需要网络）；默认先应用到本机，在下次同步时再交给服务器。"),
    ("export", "inspection", "inspection_id"): "检查记录的 ID（或其前 6 位及以上的十六进制字符）。",
    ("export", "inspection", "--latest"): "导出最近一次签署的检查。",
    ("export", "summary", "--as-of"): "按该日期统计逾期的整改通知（YYYY-MM-DD，默认今天）。",
    ("export", "commendation", "--as-of"): "尚无已记录的决定时：按该日期评定奖项（YYYY-MM-DD）。",
    ("awards", "--format"): "输出格式：table（表格）、json、csv 或 xlsx。",
    ("awards", "--rules"): "用该规则文件评定，而不用已保存的规则。",
    ("awards", "--out"): "写入该文件（xlsx 格式必须指定）。",
    ("awards", "--as-of"): "评定日期 YYYY-MM-DD（默认为规则中的日期，否则为活动最后一天）。",
    ("awards", "--level"): "只评定该层级：team（班组）、workshop（车间）、unit（单位）或 innovation（创新项目）。",
    ("awards", "--record"): "保存评定决定（及所用规则的版本），并记入审计链。",
    ("awards", "--by"): "记录这些决定的人的人员编号。",
    ("awards", "decisions", "--out"): "输出文件：.xlsx 或 .csv（带 BOM 的 UTF-8）。",
    ("awards", "decisions", "--only"): (
        "筛选：all（全部）、eligible（符合资格）、nominated（已提名）或 final（最终决定）。"
    ),
    ("awards", "rules", "import", "file"): "规则文件（TOML）。",
    ("quality", "import", "file"): "班组指标或创新项目的 .csv 或 .xlsx 文件。",
}
"""Chinese help of the parameters that belong to one command, by command path plus parameter name."""

SHARED_PARAMS: Final[dict[tuple[str, str], str]] = {
    ("--db", "Database file (default: INSPECTOR_DB, then the user data directory)."): (
        "数据库文件（默认取 INSPECTOR_DB，其次为用户数据目录）。"
    ),
    ("--lang", "Language of the output: zh or en (default: INSPECTOR_LANG, then the locale)."): (
        "输出语言：zh 或 en（默认取 INSPECTOR_LANG，其次为系统区域设置）。"
    ),
    ("--lang", "Output language: zh or en (default: INSPECTOR_LANG, locale)."): (
        "输出语言：zh 或 en（默认取 INSPECTOR_LANG，其次为系统区域设置）。"
    ),
    (
        "--database-url",
        "postgresql+psycopg://user@host/db, or sqlite:///file "
        "(default: INSPECTOR_SERVER_DATABASE_URL, then a SQLite file).",
    ): (
        "服务器数据库：postgresql+psycopg://用户@主机/库名，或 sqlite:///文件"
        "（默认取 INSPECTOR_SERVER_DATABASE_URL，其次为一个 SQLite 文件）。"
    ),
    ("--data-dir", "Folder of the device token and attachments (default: INSPECTOR_DATA_DIR)."): (
        "存放设备令牌和附件的文件夹（默认取 INSPECTOR_DATA_DIR）。"
    ),
    ("--campaign", "The campaign's code, e.g. SPM-2022."): "活动编号，例如 SPM-2022。",
    ("--out", "File to write: .pdf, .xlsx or .csv (UTF-8 with BOM)."): (
        "输出文件：.pdf、.xlsx 或 .csv（带 BOM 的 UTF-8）。"
    ),
    ("file", "The checklist file."): "检查表文件。",
    ("--code", "Checklist code (default: the file's meta sheet, then its name)."): (
        "检查表编号（默认取文件中的 meta 工作表，其次取文件名）。"
    ),
    ("--name-zh", "Chinese name (overrides the file)."): "中文名称（覆盖文件中的名称）。",
    ("--name-en", "English name (overrides the file)."): "英文名称（覆盖文件中的名称）。",
    ("--category", "Category: safety, 6s, quality, …"): "类别：safety（安全）、6s、quality（质量）等。",
}
"""Chinese help of the options defined once and used by many commands, by option name and English help."""

HELP_OPTION: Final = "显示本帮助并退出。"
"""The help of ``--help`` itself (click's "Show this message and exit.")."""

USAGE_PREFIX: Final = "用法: "
OPTIONS_METAVAR: Final = "[选项]"
SUBCOMMAND_METAVAR: Final = "命令 [参数]..."

FRAMING: Final[dict[str, str]] = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已中止。",
    "RICH_HELP": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    "DEFAULT_STRING": "[默认: {}]",
    "ENVVAR_STRING": "[环境变量: {}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEPRECATED_STRING": "(已弃用) ",
}
"""Typer's own framing words in its rich help and error panels (``typer.rich_utils`` module strings)."""
