"""The 23 municipal professional departments (专业部门) of the demo city, and who is responsible for what.

Two tables decide routing (domain.md section 3): a component case goes to the component type's owner
(``owner_for_component_type``); an event case goes to the department the district assigns that event
type to (``event_assignments``, one table per district).

The names follow the style of Harbin's municipal bodies in the seed era (2006-2009), but the units and
their unified social credit codes (统一社会信用代码, GB 32100-2015) are invented for the demo: the codes
have the right structure and check characters and belong to nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from data.codes import TypeRow, component_type_rows

# GB 32100-2015: 31 characters (no I, O, Z, S, V); the 18th character checks the first 17.
_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]
# GB 11714: the 9th character of the organisation code checks the first 8.
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
HARBIN_DIVISION = "230100"


def _org_code(body: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(registrar: str, body: str, division: str = HARBIN_DIVISION) -> str:
    """An 18-character unified social credit code with valid check characters.

    ``registrar`` is the registering authority and category (``11`` government organ, ``12`` public
    institution, ``91`` enterprise); ``body`` the 8-character organisation code without its check.
    """
    first17 = registrar + division + _org_code(body)
    total = sum(_CREDIT_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _CREDIT_CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    if len(code) != 18 or any(c not in _CREDIT_CHARSET for c in code):
        return False
    return credit_code(code[:2], code[8:16], code[2:8]) == code


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    name_en: str
    registrar: str
    org_body: str
    duties: str

    @property
    def credit_code(self) -> str:
        return credit_code(self.registrar, self.org_body)

    def as_row(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "name_en": self.name_en,
            "credit_code": self.credit_code,
            "duties": self.duties,
        }


# fmt: off
DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("heating", "哈尔滨市供热管理办公室", "Harbin Heating Administration Office", "12", "12686030",
                   "城市集中供热管网、热力井盖和露天供热管道的管理与抢修；采暖期供热保障。"),
    DepartmentSpec("water_supply", "哈尔滨市供水有限责任公司", "Harbin Water Supply Company", "91", "12704117",
                   "供水管网、供水井盖、消火栓以外的供水设施和水鹤的维护；自来水管破裂抢修。"),
    DepartmentSpec("drainage", "哈尔滨市排水有限责任公司", "Harbin Drainage Company", "91", "12704125",
                   "雨水、污水管网与井盖、雨水箅子、排水泵站的养护；道路积水排除和下水道疏通。"),
    DepartmentSpec("power", "哈尔滨市供电公司", "Harbin Power Supply Company", "91", "12697521",
                   "电力井盖、电力立杆、变压器、高压线铁塔和架空线缆的维护与抢修。"),
    DepartmentSpec("gas", "哈尔滨市燃气有限责任公司", "Harbin Gas Company", "91", "12704133",
                   "燃气管网、燃气井盖、调压站（箱）的巡检和燃气管道破裂抢修。"),
    DepartmentSpec("telecom", "哈尔滨市通信管线管理办公室", "Harbin Telecommunication Lines Office", "12", "12686049",
                   "通信井盖、通信交接箱、通信立杆和基站等通信设施的协调管理。"),
    DepartmentSpec("cable_tv", "哈尔滨市有线电视网络公司", "Harbin Cable TV Network Company", "91", "12704141",
                   "有线电视管线、电视井盖和分线设施的维护。"),
    DepartmentSpec("street_lighting", "哈尔滨市路灯管理处", "Harbin Street Lighting Office", "12", "12686057",
                   "路灯、景观灯、地灯、路灯井盖和配电箱的维护，亮灯率保障。"),
    DepartmentSpec("roads_bridges", "哈尔滨市市政工程管理处", "Harbin Municipal Roads and Bridges Office", "12", "12686065",
                   "城市道路、桥梁、立交桥、过街天桥和地下通道的养护；路面塌陷等道路抢修。"),
    DepartmentSpec("landscaping", "哈尔滨市园林局", "Harbin Landscaping Bureau", "11", "00470013",
                   "行道树、绿地、古树名木和园林设施的养护，公园和绿地秩序管理。"),
    DepartmentSpec("sanitation", "哈尔滨市环境卫生管理局", "Harbin Sanitation Bureau", "11", "00470021",
                   "道路清扫保洁、垃圾收运、公共厕所和垃圾箱管理；冬季清冰雪。"),
    DepartmentSpec("traffic_police", "哈尔滨市公安局交通警察支队", "Harbin Traffic Police Detachment", "11", "00470030",
                   "交通信号灯、交通标志标线、护栏等交通设施管理；机动车违法停放查处。"),
    DepartmentSpec("public_transit", "哈尔滨市公共交通总公司", "Harbin Public Transit Corporation", "91", "12697530",
                   "公交站亭、站牌、公交立杆和公交井盖的设置与维护。"),
    DepartmentSpec("transport", "哈尔滨市交通运输局", "Harbin Transport Bureau", "11", "00470048",
                   "出租汽车停靠站、停车场和道路运输秩序管理，非法营运查处。"),
    DepartmentSpec("enforcement", "哈尔滨市城市管理行政执法局", "Harbin Urban Management Enforcement Bureau", "11", "00470056",
                   "市容秩序执法：占道经营、游商、违法广告、私搭乱建和街面秩序；报刊亭等街头设施管理。"),
    DepartmentSpec("planning", "哈尔滨市规划局", "Harbin Planning Bureau", "11", "00470064",
                   "城乡规划管理，无证建设查处，地名和文物建筑标志管理。"),
    DepartmentSpec("construction", "哈尔滨市城乡建设委员会", "Harbin Urban and Rural Construction Commission", "11", "00470072",
                   "建设工程和施工现场管理：施工占道、扬尘、渣土和工地围挡。"),
    DepartmentSpec("environment", "哈尔滨市环境保护局", "Harbin Environmental Protection Bureau", "11", "00470080",
                   "大气、水、噪声污染监管和环境监测站点管理。"),
    DepartmentSpec("water_affairs", "哈尔滨市水务局", "Harbin Water Affairs Bureau", "11", "00470099",
                   "松花江堤防、防汛设施、河道和水域秩序管理。"),
    DepartmentSpec("public_security", "哈尔滨市公安局", "Harbin Public Security Bureau", "11", "00470101",
                   "社会治安，公安井盖、治安岗亭、监控电子眼和门牌管理，群体性事件处置。"),
    DepartmentSpec("fire", "哈尔滨市公安消防支队", "Harbin Fire Brigade", "11", "00470110",
                   "消防设施和消火栓管理，占用消防通道查处，火灾扑救和应急救援。"),
    DepartmentSpec("civil_defence", "哈尔滨市人民防空办公室", "Harbin Civil Air Defence Office", "11", "00470128",
                   "人防工程和防空警报设施管理，应急避难场所标识，战时防空袭指挥。"),
    DepartmentSpec("post", "哈尔滨市邮政局", "Harbin Post Office", "91", "12697549",
                   "邮筒、邮政信报箱和快递柜的设置与维护。"),
)
# fmt: on

DEPARTMENT_CODES: tuple[str, ...] = tuple(d.code for d in DEPARTMENTS)
FALLBACK_DEPARTMENT = "enforcement"  # the city-management bureau takes what no utility owns


class TypeLike(Protocol):
    """A component or event type: a ``data.codes.TypeRow`` or a ``ComponentType``/``EventType`` row."""

    code: str
    gb_code: str | None
    legacy_code: str | None
    major_name: str
    name: str


# --- components ------------------------------------------------------------------------------------

# Owners by standard name. Names cover both code systems: a type present in both carries its GB name.
# fmt: off
_OWNER_BY_COMPONENT = {
    # manhole covers, by the utility under them
    "供水井盖": "water_supply", "中水井盖": "water_supply", "污水井盖": "drainage", "雨水井盖": "drainage",
    "雨水箅子": "drainage", "沟槽盖板": "drainage", "化粪池井盖": "sanitation", "电力井盖": "power",
    "电缆井盖": "power", "路灯井盖": "street_lighting", "通信井盖": "telecom", "网络井盖": "telecom",
    "电视井盖": "cable_tv", "热力井盖": "heating", "燃气井盖": "gas", "输油（气）井盖": "gas",
    "公安井盖": "public_security", "园林井盖": "landscaping", "信号灯电源井盖": "traffic_police",
    "公交井盖": "public_transit", "特殊井盖": "roads_bridges", "不明井盖": "roads_bridges",
    # water
    "水井": "water_supply", "供水器": "water_supply", "水鹤": "water_supply", "水塔": "water_supply",
    "跨河管道": "water_affairs", "防汛监测设施": "water_affairs", "水域附属设施": "water_affairs",
    "水域护栏": "water_affairs", "防汛墙": "water_affairs", "排水泵站": "drainage", "雨污水排放口": "drainage",
    # energy and lines
    "电力设施": "power", "电力设施标识牌": "power", "电力立杆": "power", "高压线铁塔": "power",
    "变压器（箱）": "power", "充电桩": "power", "通信交接箱": "telecom", "通信立杆": "telecom",
    "通信基站": "telecom", "电话亭": "telecom", "燃气调压站（箱）": "gas", "露天燃气管道": "gas",
    "输油（气）标志": "gas", "露天供热管道": "heating",
    "路灯": "street_lighting", "地灯": "street_lighting", "景观灯": "street_lighting",
    "路灯配电箱": "street_lighting", "综合杆": "street_lighting",
    "特殊立杆": "roads_bridges", "不明立杆": "roads_bridges", "公交立杆": "public_transit",
    # safety
    "消防设施": "fire", "公安指示牌": "public_security", "治安岗亭": "public_security",
    "监控电子眼设施": "public_security", "紧急报警点SOS": "public_security", "门（楼号）牌": "public_security",
    "应急避难指示牌": "civil_defence", "人防工事": "civil_defence", "重大危险源": "fire",
    # post
    "邮筒": "post", "快递柜": "post",
    # structures and buildings
    "综合管廊附属设施": "construction", "公用电梯": "construction", "公房地下室": "construction",
    "工地": "construction", "车辆加油（气、电）站": "transport",
    # traffic
    "立交桥": "roads_bridges", "跨河桥": "roads_bridges", "过街天桥": "roads_bridges", "地下通道": "roads_bridges",
    "铁路桥涵": "roads_bridges", "公路隧道": "roads_bridges", "栈桥": "roads_bridges", "无障碍设施": "roads_bridges",
    "公交站设施": "public_transit", "出租车停靠站": "transport", "轨道交通设施": "transport",
    "铁道口设施": "transport", "港监设施": "transport", "停车场": "transport", "立体车库": "transport",
    "水域标示牌": "water_affairs", "路名牌": "planning", "地名牌": "planning", "文物建筑标志牌": "planning",
    "文物古迹": "planning", "景区标识牌": "landscaping", "救助站指示牌": "enforcement",
    # appearance
    "户外广告": "enforcement", "牌匾标识": "enforcement", "宣传栏": "enforcement",
    "气象监测站": "environment", "环保监测站": "environment", "污水口监测站": "environment",
    "污水监测器": "environment", "噪声显示屏": "environment",
}
# fmt: on

# When a name is not listed (a local type, a renamed one): the major decides; legacy and GB majors both.
# fmt: off
_OWNER_BY_MAJOR = {
    "交通设施": "traffic_police", "道路交通": "traffic_police",
    "市容环卫设施": "sanitation", "市容环境": "sanitation",
    "园林绿化设施": "landscaping", "园林绿化": "landscaping",
    "房屋土地": "construction", "其他管理部件": "construction",
}
# fmt: on


def owner_for_component_type(type_row: TypeLike) -> str:
    """The department code that owns (主管) components of this type."""
    by_name = _OWNER_BY_COMPONENT.get(type_row.name)
    if by_name:
        return by_name
    return _OWNER_BY_MAJOR.get(type_row.major_name, FALLBACK_DEPARTMENT)


# Maintenance (养护) differs from the owner where a type's upkeep is contracted to another body.
# fmt: off
_MAINTENANCE_BY_COMPONENT = {
    "交通标志牌及标线": "roads_bridges", "交通护栏": "roads_bridges", "人行横道桩": "roads_bridges",
    "便道桩": "roads_bridges", "减速带": "roads_bridges", "存车支架": "enforcement",
    "景区标识牌": "landscaping", "户外健身设施": "landscaping",
}
# fmt: on


def maintainer_for_component_type(type_row: TypeLike) -> str:
    """The department code that maintains (养护) components of this type: usually the owner."""
    return _MAINTENANCE_BY_COMPONENT.get(type_row.name) or owner_for_component_type(type_row)


# --- events ----------------------------------------------------------------------------------------

# By GB code (or legacy code for legacy-only types); majors 01-05 follow the component owner instead.
# fmt: off
_DEPARTMENT_BY_EVENT = {
    # 06 市容环境: sanitation unless listed
    "06001": "enforcement", "06002": "enforcement", "06003": "enforcement", "06005": "enforcement",
    "06006": "enforcement", "06007": "enforcement", "06008": "enforcement", "06009": "enforcement",
    "06013": "roads_bridges", "06016": "traffic_police", "06017": "landscaping", "06018": "landscaping",
    "06019": "enforcement", "06021": "landscaping", "06022": "landscaping", "06023": "water_affairs",
    "06024": "water_affairs", "06025": "water_affairs", "06026": "environment", "06027": "environment",
    "06028": "environment", "06029": "enforcement", "06030": "environment", "06032": "environment",
    "06033": "environment", "06034": "traffic_police", "06038": "enforcement", "06039": "enforcement",
    "06040": "enforcement", "06043": "enforcement", "06044": "enforcement", "06045": "landscaping",
    "06046": "water_affairs", "06047": "landscaping", "06048": "roads_bridges", "06049": "roads_bridges",
    "06050": "roads_bridges", "06051": "roads_bridges", "06052": "roads_bridges",
    # 08 施工管理: construction unless listed
    "08016": "planning",
    # 09 街面秩序: enforcement unless listed
    "09003": "public_security", "09009": "traffic_police", "09011": "transport", "09012": "fire",
    "09014": "traffic_police", "09018": "traffic_police",
    # 10 其他事项
    "10001": "sanitation", "10002": "power",
    # legacy-only types (CJ/T 214 codes)
    "0199": "sanitation", "0203": "enforcement", "0399": "construction",
    "0401": "roads_bridges", "0402": "water_supply", "0403": "gas", "0404": "drainage", "0405": "heating",
    "0406": "drainage", "0409": "public_security", "0499": "public_security",
    "0509": "transport", "0599": "enforcement",
}
# fmt: on

_DEPARTMENT_BY_EVENT_MAJOR = {
    "06": "sanitation",
    "07": "enforcement",
    "08": "construction",
    "09": "enforcement",
}

# Each district settles a few matters its own way (the table is per district, as in Harbin's system).
DISTRICT_OVERRIDES: dict[str, dict[str, str]] = {
    "230102": {"06012": "landscaping"},  # 道里: the riverside parks' crews sweep the promenade roads
    "230103": {"09010": "traffic_police"},  # 南岗: bicycles parked at the stations go to the traffic police
    "230104": {"06029": "environment"},  # 道外: open-air barbecue smoke is an environment matter
    "230108": {"06028": "public_security"},  # 平房: night noise goes to the police
    "230109": {"06017": "sanitation"},  # 松北: littered green space is swept by sanitation
    "230110": {"08004": "environment"},  # 香坊: building-site dust goes to environment protection
    "230111": {"06034": "enforcement"},  # 呼兰: abandoned vehicles are cleared by enforcement
}


@cache
def _component_by_gb() -> dict[str, TypeRow]:
    return {r.gb_code: r for r in component_type_rows() if r.gb_code}


def department_for_event_type(event_type: TypeLike, district_code: str | None = None) -> str:
    """The department a district assigns an event type to (the default table plus its overrides)."""
    code = event_type.code
    if district_code is not None:
        override = DISTRICT_OVERRIDES.get(district_code, {}).get(code)
        if override:
            return override
    listed = _DEPARTMENT_BY_EVENT.get(code)
    if listed:
        return listed
    gb = event_type.gb_code
    if gb and gb[:2] in ("01", "02", "03", "04", "05"):
        # "<component>异常": the matter shares its code with the component type; its owner handles it.
        component = _component_by_gb().get(gb)
        if component is not None:
            return owner_for_component_type(component)
    major = gb[:2] if gb else None
    return _DEPARTMENT_BY_EVENT_MAJOR.get(major or "", FALLBACK_DEPARTMENT)


def event_assignments(district_code: str, event_types: Iterable[TypeLike]) -> list[tuple[str, str]]:
    """The default (event type code, department code) table of one district, in the given order."""
    return [(t.code, department_for_event_type(t, district_code)) for t in event_types]
