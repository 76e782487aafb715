"""Write the example workbooks of this folder: a Chinese safety-office sheet and an XLSForm.

Run ``python examples/checklists/make_examples.py`` after changing them; the tests read the files written here.
The CSV and TOML examples are kept by hand.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).parent

SHEET_HEADER = [
    "序号",
    "检查项目",
    "检查内容",
    "检查依据",
    "检查方法",
    "分值",
    "扣分标准",
    "一票否决",
    "重大隐患",
    "是",
    "否",
    "不适用",
]
CASTING = [
    (
        "1",
        "熔铸炉及铸造机应设置应急水源，水量满足事故冷却要求",
        "GB 30078-2013 第6.3条",
        "现场查看应急水池、水泵及切换记录",
        10,
        "无应急水源不得分",
        "",
        "是",
    ),
    (
        "2",
        "结晶器冷却水设进水压力、流量监测报警，并与快速切断阀、紧急排放阀、流槽断开装置联锁",
        "《工贸企业重大事故隐患判定标准》第十条",
        "查看报警联锁试验记录，现场试验一次",
        10,
        "报警或联锁缺一项扣5分",
        "",
        "是",
    ),
    ("3", "流槽设液位报警装置并定期校验", "GB 30078-2013", "现场查看、查校验记录", 5, "每处扣2分", "", "是"),
    (
        "4",
        "固定式铸造炉出铝口设机械锁紧装置",
        "《工贸企业重大事故隐患判定标准》",
        "现场查看",
        5,
        "不符合不得分",
        "",
        "是",
    ),
    (
        "5",
        "铸造机卷扬钢丝绳为钢芯，定期检查并有更换记录",
        "GB/T 5972",
        "查钢丝绳检查更换记录",
        5,
        "每处扣1分",
        "",
        "是",
    ),
    ("6", "熔炼作业人员正确穿戴阻燃服、防护面罩、隔热鞋", "GB 39800.1", "现场抽查3人", 4, "每人次扣1分", "", ""),
]
EXTRUSION = [
    ("7", "挤压机安全光栅、急停按钮完好有效", "GB 5226.1", "现场试验", 5, "每处扣2分", "", ""),
    ("8", "模具加热炉、铝棒炉温控及超温报警正常", "企业安全操作规程", "查看仪表及报警试验记录", 4, "每处扣1分", "", ""),
    ("9", "牵引机、锯切区域设防护栏，无人员违章穿越", "企业安全操作规程", "现场观察", 4, "每发现一处扣1分", "", ""),
]
ELECTRICAL = [
    (
        "10",
        "特种作业人员（电工、叉车司机）持证上岗",
        "《特种作业人员安全技术培训考核管理规定》",
        "抽查证件",
        10,
        "无证上岗一票否决",
        "是",
        "",
    ),
    ("11", "配电室防小动物措施、绝缘垫、灭火器齐全", "GB 50054", "现场查看", 3, "每处扣1分", "", ""),
]


def safety_sheet(path: Path) -> None:
    """熔铸挤压车间安全检查表 in the layout safety offices use: title rows, merged categories, answer columns."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "安全检查表"
    sheet.append(["熔铸挤压车间安全检查表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SHEET_HEADER))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["受检单位：", "", "检查日期：", "", "检查人："])
    sheet.append(SHEET_HEADER)
    row = 4
    for category, items in (("熔铸作业", CASTING), ("挤压作业", EXTRUSION), ("电气与特种作业", ELECTRICAL)):
        first = row
        for number, text, basis, method, points, rule, veto, major in items:
            sheet.append([number, category if row == first else None, text, basis, method, points, rule, veto, major])
            row += 1
        sheet.merge_cells(start_row=first, start_column=2, end_row=row - 1, end_column=2)
    sheet.append(["合计", None, None, None, None, f"=SUM(F4:F{row - 1})"])
    meta = workbook.create_sheet("说明")
    for key, value in (
        ("编号", "CAST-EXT-SAFETY"),
        ("名称", "熔铸挤压车间安全检查表"),
        ("英文名称", "Casthouse and extrusion safety checklist"),
        ("类别", "安全"),
    ):
        meta.append([key, value])
    workbook.save(path)


def xlsform(path: Path) -> None:
    """A KoboToolbox-style form for the anodising line, with constructs a checklist cannot honour."""
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    rows = [
        [
            "type",
            "name",
            "label::Chinese (zh)",
            "label::English (en)",
            "hint::Chinese (zh)",
            "hint::English (en)",
            "required",
            "constraint",
            "relevant",
            "calculation",
            "points",
            "veto",
            "always_major",
            "unit",
            "basis::Chinese (zh)",
            "deduction::Chinese (zh)",
        ],
        ["start", "start"],
        ["begin group", "tank_line", "氧化槽线", "Anodising tank line"],
        [
            "select_one yes_no_na",
            "tank_ventilation",
            "槽边抽风系统运行正常",
            "Tank-side extraction runs",
            "看风压表",
            "Check the gauge",
            "yes",
            "",
            "",
            "",
            "5",
            "",
            "",
            "",
            "GBZ 2.1",
            "每处扣1分",
        ],
        [
            "decimal",
            "acid_temp",
            "硫酸槽液温度",
            "Sulphuric acid bath temperature",
            "",
            "",
            "yes",
            ". >= 18 and . <= 22",
            "",
            "",
            "4",
            "",
            "",
            "°C",
        ],
        [
            "select_one yes_no_na",
            "eyewash",
            "洗眼器、紧急喷淋可用且水质清洁",
            "Eyewash and emergency shower work",
            "",
            "",
            "yes",
            "",
            "",
            "",
            "4",
        ],
        [
            "select_one yes_no_na",
            "acid_ppe",
            "加酸作业穿戴防酸服、面罩、手套",
            "Acid handling PPE worn",
            "",
            "",
            "yes",
            "",
            "",
            "",
            "4",
            "",
            "",
            "",
            "",
            "每人次扣1分",
        ],
        ["image", "tank_photo", "槽线现场照片", "Photo of the tank line"],
        ["end group"],
        ["begin group", "electrical", "整流电源与电气", "Rectifiers and electrical"],
        [
            "decimal",
            "earth_resistance",
            "整流柜接地电阻",
            "Rectifier cabinet earth resistance",
            "",
            "",
            "yes",
            ". <= 4",
            "",
            "",
            "3",
            "",
            "",
            "Ω",
        ],
        [
            "select_one score_0_5",
            "cable_6s",
            "电缆桥架整洁（6S评分）",
            "Cable trays tidy (6S score)",
            "",
            "",
            "",
            "",
            "",
            "",
            "5",
        ],
        [
            "select_one yes_no_na",
            "rectifier_interlock",
            "整流柜门联锁有效",
            "Rectifier door interlock works",
            "",
            "",
            "yes",
            "",
            "",
            "",
            "5",
            "yes",
        ],
        ["select_multiple hazards", "hazards_seen", "发现的危险源", "Hazards seen"],
        ["text", "remarks", "其他问题", "Other findings", "", "", "", "", "${rectifier_interlock} = 'no'"],
        ["end group"],
        ["calculate", "total", "", "", "", "", "", "", "", "${earth_resistance} + 1"],
        ["geopoint", "location", "检查位置", "Location"],
        ["note", "sign_note", "检查完毕请班组长签字", "Team leader signs when done"],
    ]
    for values in rows:
        survey.append(values)
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label::Chinese (zh)", "label::English (en)"])
    for name, zh, en in (("yes", "是", "Yes"), ("no", "否", "No"), ("na", "不适用", "N/A")):
        choices.append(["yes_no_na", name, zh, en])
    for score in range(6):
        choices.append(["score_0_5", str(score), str(score), str(score)])
    for name, zh, en in (("acid", "酸雾", "Acid mist"), ("electric", "触电", "Electric shock")):
        choices.append(["hazards", name, zh, en])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "name_en", "default_language", "category"])
    settings.append(["氧化线安全检查", "ANODISING-SAFETY", "Anodising line safety check", "Chinese (zh)", "safety"])
    workbook.save(path)


if __name__ == "__main__":
    safety_sheet(HERE / "safety-casthouse.xlsx")
    xlsform(HERE / "anodising-xlsform.xlsx")
    print("wrote", HERE / "safety-casthouse.xlsx", "and", HERE / "anodising-xlsform.xlsx")
