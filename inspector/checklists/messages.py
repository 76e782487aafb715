"""Bilingual messages of the checklist readers, and the helper that turns one into a located :class:`Problem`."""

from __future__ import annotations

from collections.abc import Mapping

from inspector.checklists.spec import Problem
from inspector.i18n import register, t

MESSAGES: dict[str, tuple[str, str]] = {
    # The file as a whole.
    "file.missing": ("文件不存在", "no such file"),
    "file.not_regular": ("这不是普通文件（设备或管道）", "this is not a regular file (a device or a pipe)"),
    "file.directory": ("这是一个文件夹，不是检查表文件", "this is a folder, not a checklist file"),
    "file.empty": ("文件是空的", "the file is empty"),
    "file.too_big": (
        "文件有 {size} MiB；超过 {limit} MiB 的检查表不予读取",
        "the file is {size} MiB; checklists larger than {limit} MiB are refused",
    ),
    "file.unreadable": ("无法读取文件：{reason}", "cannot read the file: {reason}"),
    "file.unknown_format": (
        "不认识的检查表格式 {suffix}；请使用 .toml、.yaml、.xlsx 或 .csv",
        "unknown checklist format {suffix}; use .toml, .yaml, .xlsx or .csv",
    ),
    "file.old_xls": (
        "这是旧的 Excel 97–2003 格式（.xls）；请在 Excel 或 WPS 中打开并另存为 .xlsx",
        "this is the old Excel 97–2003 format (.xls); open it in Excel or WPS and save it as .xlsx",
    ),
    "file.encrypted": (
        "工作簿有密码保护（已加密）；请在 Excel 或 WPS 中取消密码后另存为 .xlsx",
        "the workbook is password-protected (encrypted); remove the password in Excel or WPS and save it again as .xlsx",
    ),
    "file.not_xlsx": (
        "文件不是有效的 .xlsx 工作簿（损坏、被截断或不是 Excel 文件）：{reason}",
        "the file is not a valid .xlsx workbook (damaged, truncated or not an Excel file): {reason}",
    ),
    "file.zip_bomb": (
        "工作簿解压后有 {size} MiB，超过 {limit} MiB，不予读取",
        "the workbook unpacks to {size} MiB, more than {limit} MiB; it is refused",
    ),
    "file.binary": (
        "文件包含二进制数据，不是文本文件",
        "the file contains binary data, not text",
    ),
    "file.internal": (
        "读取文件时出现意外错误（{kind}）：{reason}；请将此文件发给维护人员",
        "unexpected error while reading the file ({kind}): {reason}; please send this file to the maintainers",
    ),
    # Text formats.
    "text.not_utf8": (
        "文件不是 UTF-8 文本（第 {position} 字节无效，可能是 GBK 编码）；请另存为 UTF-8",
        "the file is not UTF-8 text (bad byte at position {position}, GBK perhaps); save it as UTF-8",
    ),
    "text.no_yaml": ("读取 YAML 需要安装 PyYAML；请改用 TOML", "YAML needs PyYAML installed; use TOML instead"),
    "text.bad_yaml": ("不是有效的 YAML：{reason}", "not valid YAML: {reason}"),
    "text.too_many_values": (
        "展开后超过 {limit} 个值（YAML 的 &锚点/*引用 层层嵌套），不像是检查表；请去掉引用",
        "expands to more than {limit} values (YAML &anchors/*aliases nested in each other), not a checklist; "
        "remove the aliases",
    ),
    "text.bad_toml": ("不是有效的 TOML：{reason}", "not valid TOML: {reason}"),
    "text.not_checklist": (
        "文件为空或不是检查表（没有 code、name、sections）",
        "the file is empty or is not a checklist (no code, name, sections)",
    ),
    # CSV encodings.
    "csv.mixed_encoding": (
        "文件混用了多种编码：第 {gbk_row} 行是 GBK/GB18030，第 {utf8_row} 行是 UTF-8；请将整个文件另存为同一种编码（UTF-8）",
        "the file mixes encodings: line {gbk_row} is GBK/GB18030 but line {utf8_row} is UTF-8; "
        "save the whole file in one encoding (UTF-8)",
    ),
    "csv.bad_encoding": (
        "第 {line} 行既不是 UTF-8 也不是 GBK/GB18030 编码；请另存为 UTF-8",
        "line {line} is neither UTF-8 nor GBK/GB18030; save the file as UTF-8",
    ),
    "csv.bad_utf16": (
        "文件以 UTF-16 标记开头，但第 {position} 字节不是有效的 UTF-16；请另存为 UTF-8",
        "the file starts with a UTF-16 mark but byte {position} is not valid UTF-16; save it as UTF-8",
    ),
    "csv.bad_csv": ("不是有效的 CSV：{reason}", "not valid CSV: {reason}"),
    # Spreadsheets.
    "sheet.no_header": (
        "找不到表头行：前 {rows} 行中没有“检查内容”（或 Item、Check item）列；请参见 docs/checklist-files.md",
        "no header row found: none of the first {rows} rows has a 检查内容 (or Item, Check item) column; "
        "see docs/checklist-files.md",
    ),
    "sheet.skipped_no_header": (
        "此工作表没有可识别的表头行，已跳过",
        "this sheet has no recognised header row; it was skipped",
    ),
    "sheet.total_mismatch": (
        "合计行写的是 {stated} 分，但各检查项分值之和是 {counted} 分；请检查是否漏了检查项或分值填错（或删去合计行）",
        "the total row says {stated} points but the items add up to {counted}; look for a missing item or a mistyped "
        "points cell (or delete the total row)",
    ),
    "sheet.no_items": (
        "有表头但没有检查项（表头在第 {header_row} 行）",
        "there is a header row (row {header_row}) but no items below it",
    ),
    "sheet.too_many_rows": (
        "工作表有 {rows} 行数据，超过 {limit} 行的检查表不予读取",
        "the sheet has {rows} rows of data; checklist sheets longer than {limit} rows are refused",
    ),
    "sheet.unknown_column": (
        "列标题“{header}”不是检查表字段，已忽略",
        "column heading '{header}' is not a checklist field; ignored",
    ),
    "sheet.duplicate_column": (
        "“{header}”与 {other} 列表示同一字段；只使用 {other} 列",
        "'{header}' means the same field as column {other}; only column {other} is used",
    ),
    "sheet.not_number": ("“{value}”不是数字", "'{value}' is not a number"),
    "sheet.formula_not_calculated": (
        "公式 {formula} 没有保存计算结果；请在 Excel 或 WPS 中打开、保存后再读取",
        "the formula {formula} has no saved result; open the file in Excel or WPS, save it, and read it again",
    ),
    "sheet.not_flag": (
        "“{value}”不是 是/否（可写 是、否、√、Y、N、yes、no、1、0）",
        "'{value}' is not yes/no (write 是, 否, √, Y, N, yes, no, 1 or 0)",
    ),
    "sheet.unknown_kind": (
        "不认识的类型“{value}”；可用：是否、评分0-5、测量、文字、照片（yes_no、score 0-5、measurement、text、photo）",
        "unknown kind '{value}'; use yes_no, score 0-5, measurement, text or photo (是否、评分0-5、测量、文字、照片)",
    ),
    "sheet.bad_limits": (
        "读不出限值“{value}”；请写成 ≤4、≥10、0.2-0.4 或 10~50 MPa",
        "cannot read limits from '{value}'; write them as ≤4, ≥10, 0.2-0.4 or 10~50 MPa",
    ),
    "sheet.weight_conflict": (
        "第 {section} 部分的权重写了两个不同的值（{first} 和 {second}）",
        "section {section} has two different weights ({first} and {second})",
    ),
    "sheet.duplicate_code": (
        "检查项编号 {code} 重复：第 {first_row} 行已用过",
        "item code {code} is used twice: row {first_row} has it already",
    ),
    "sheet.duplicate_code_elsewhere": (
        "检查项编号 {code} 重复：{first} 已用过",
        "item code {code} is used twice: {first} has it already",
    ),
    "sheet.meta_unknown": (
        "说明表中的“{name}”不是检查表属性，已忽略",
        "'{name}' in the meta sheet is not a checklist property; ignored",
    ),
    "sheet.hidden_sheet": ("隐藏的工作表，已跳过", "hidden sheet; skipped"),
    # XLSForm.
    "xlsform.pyxform": ("XLSForm 无效：{reason}", "invalid XLSForm: {reason}"),
    "xlsform.skipped_type": (
        "{type} 类型的题目“{name}”无法成为检查项，已跳过",
        "question '{name}' of type {type} cannot be a checklist item; skipped",
    ),
    "xlsform.unknown_type": (
        "题目“{name}”的类型 {type} 不是 XLSForm 类型；请检查拼写（如 select_one、integer、text、image）",
        "question '{name}' has type {type}, which is not an XLSForm type; check the spelling "
        "(select_one, integer, text, image, …)",
    ),
    "xlsform.skipped_note": (
        "说明（note）“{name}”不是检查项，已跳过：{label}",
        "note '{name}' is not a checklist item; skipped: {label}",
    ),
    "xlsform.skipped_repeat": (
        "重复组“{name}”及其中的 {count} 道题无法成为检查项，已跳过",
        "repeat '{name}' and the {count} question(s) inside it cannot be checklist items; skipped",
    ),
    "xlsform.skipped_relevant": (
        "“{name}”的显示条件（relevant：{expression}）被忽略；此项总是要检查",
        "the skip logic of '{name}' (relevant: {expression}) is ignored; the item is always asked",
    ),
    "xlsform.skipped_group_relevant": (
        "分组“{name}”的显示条件（relevant：{expression}）被忽略；整组总是要检查",
        "the skip logic of group '{name}' (relevant: {expression}) is ignored; the group is always asked",
    ),
    "xlsform.skipped_choices": (
        "单选题“{name}”的选项列表 {list_name}（{choices}）既不是 是/否/不适用，也不是 0–N 评分，已跳过",
        "select_one '{name}' uses list {list_name} ({choices}), which is neither yes/no/N-A nor a 0–N score; skipped",
    ),
    "xlsform.skipped_number": (
        "数字题“{name}”没有约束（constraint），没有可对照的限值，已跳过；加上如 . <= 4 的约束即成为测量项",
        "number question '{name}' has no constraint, so no limits to check against; skipped "
        "(add a constraint such as . <= 4 to make it a measurement)",
    ),
    "xlsform.strict_limit": (
        "“{name}”的约束 {expression} 使用严格不等号；检查表的限值包含端点，按 {limits} 处理",
        "the constraint {expression} of '{name}' is strict; checklist limits include the end points, so it is "
        "read as {limits}",
    ),
    "xlsform.bad_constraint": (
        "读不出约束“{expression}”中的限值；请写成 . >= 10 and . <= 50 或 . <= 4",
        "cannot read limits from the constraint '{expression}'; write it as . >= 10 and . <= 50 or . <= 4",
    ),
    "xlsform.skipped_column": (
        "列“{header}”不被检查表使用，已忽略",
        "column '{header}' is not used by checklists; ignored",
    ),
    "xlsform.skipped_language": (
        "语言 {language} 的标签不被检查表使用（只用中文和英文），已忽略",
        "labels in language {language} are not used (checklists hold Chinese and English); ignored",
    ),
    "xlsform.no_questions": (
        "survey 工作表中没有可以成为检查项的题目",
        "the survey sheet has no questions that can be checklist items",
    ),
    # Validation of what was read (pydantic error types of ChecklistSpec, ItemSpec, SectionSpec).
    "spec.item_no_text": ("检查项 {code} 没有内容（中文或英文）", "item {code} has no text (text_zh or text_en)"),
    "spec.score_without_max": (
        "检查项 {code} 是 0–N 评分项，但没有最高分（max_score）",
        "item {code} is a 0–N score item without max_score",
    ),
    "spec.measurement_without_limits": (
        "检查项 {code} 是测量项，但没有下限或上限",
        "item {code} is a measurement without lower_limit or upper_limit",
    ),
    "spec.lower_above_upper": (
        "检查项 {code}：下限 {lower} 大于上限 {upper}",
        "item {code}: lower_limit {lower} is above upper_limit {upper}",
    ),
    "spec.points_on_unscored": ("检查项 {code}：{kind} 类检查项不计分", "item {code}: {kind} items carry no points"),
    "spec.section_no_title": ("部分 {code} 没有标题", "section {code} has no title (title_zh or title_en)"),
    "spec.no_name": ("检查表没有名称（name_zh 或 name_en）", "the checklist has no name (name_zh or name_en)"),
    "spec.no_items": ("检查表没有检查项", "the checklist has no items"),
    "spec.duplicate_item": ("检查项编号 {code} 重复", "item code {code} is used twice"),
    "spec.duplicate_section": ("有两个部分的编号相同", "two sections share a code"),
    "spec.weights_partial": ("要么每个部分都有权重，要么都没有", "either every section has a weight or none has"),
    "spec.weights_sum": ("各部分权重之和是 {total}，不是 1", "section weights sum to {total}, not 1"),
    "spec.bands_order": ("grade_bands 必须从最高分数线往下排", "grade_bands must go from the highest threshold down"),
    # Pydantic's own error types, for values of the wrong type or out of range.
    "float_parsing": ("应为数字，实际是“{input}”", "should be a number, not '{input}'"),
    "float_type": ("应为数字，实际是“{input}”", "should be a number, not '{input}'"),
    "int_parsing": ("应为整数，实际是“{input}”", "should be a whole number, not '{input}'"),
    "int_type": ("应为整数，实际是“{input}”", "should be a whole number, not '{input}'"),
    "int_from_float": ("应为整数，实际是“{input}”", "should be a whole number, not '{input}'"),
    "bool_parsing": ("应为 true 或 false，实际是“{input}”", "should be true or false, not '{input}'"),
    "bool_type": ("应为 true 或 false，实际是“{input}”", "should be true or false, not '{input}'"),
    "string_type": ("应为文字，实际是“{input}”", "should be text, not '{input}'"),
    "string_too_short": ("不能为空", "must not be empty"),
    "string_too_long": ("太长（最多 {max_length} 个字符）", "is too long (at most {max_length} characters)"),
    "greater_than_equal": ("不能小于 {ge}（实际是 {input}）", "must be at least {ge} (it is {input})"),
    "greater_than": ("必须大于 {gt}（实际是 {input}）", "must be greater than {gt} (it is {input})"),
    "less_than_equal": ("不能大于 {le}（实际是 {input}）", "must be at most {le} (it is {input})"),
    "missing": ("缺少必填字段", "is required but missing"),
    "extra_forbidden": ("不认识的字段", "is not a checklist field"),
    "enum": ("应为以下之一：{expected}（实际是“{input}”）", "should be one of {expected} (not '{input}')"),
    "list_type": ("应为列表", "should be a list"),
    "model_type": ("应为表（键值对）", "should be a table of keys and values"),
    "dict_type": ("应为表（键值对）", "should be a table of keys and values"),
    "tuple_type": ("应为 [分数线, 等级] 这样的对", "should be a pair like [threshold, grade]"),
    "too_short": ("元素太少", "has too few elements"),
    "too_long": ("元素太多", "has too many elements"),
    "validation.other": ("数值无效：{reason}", "invalid value: {reason}"),
}
register({f"checklists.{key}": texts for key, texts in MESSAGES.items()})


def problem(
    file: str,
    key: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    severity: str = "error",
    values: Mapping[str, object] | None = None,
    **more: object,
) -> Problem:
    """A :class:`Problem` with the message ``key`` of this catalogue in both languages.

    Placeholders come from ``values`` (a mapping, e.g. a pydantic error context) and the keyword arguments.
    """
    values = {**(values or {}), **more}
    if key not in MESSAGES:
        raise KeyError(f"unknown checklist message key {key!r}")
    full = f"checklists.{key}"
    return Problem(
        file,
        t(full, "en", **values),
        sheet=sheet,
        row=row,
        column=column,
        severity=severity,
        message_zh=t(full, "zh", **values),
    )


def has_message(key: str) -> bool:
    """Whether ``key`` (a pydantic error type, say) has a message in this catalogue."""
    return key in MESSAGES
