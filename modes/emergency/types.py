"""The incident types the emergency mode knows, each with its category, default cordons, the
capabilities it usually needs and its default objectives.

The sudden-event codes of the city-management standard (CJ/T 214 major 04 突发事件, and the two that
GB/T 47678.5 moved to 10 其他事项类) are incident types under their own codes, so an everyday case of
such a type escalates without a mapping step; the other types are the usual emergency-plan ones and
take plain-word codes. Default radii are planning defaults a commander overrides on the map.
"""

from __future__ import annotations

from dataclasses import dataclass

from data.emergency_models import Capability as C
from data.emergency_models import IncidentCategory as K
from data.errors import InputError


@dataclass(frozen=True)
class IncidentType:
    code: str
    name: str
    name_en: str
    category: K
    inner_m: float
    outer_m: float
    needs: tuple[C, ...]
    objectives: tuple[str, ...]
    event_codes: tuple[str, ...] = ()  # the everyday event type codes (legacy and GB) it stands for


_LIFE = "保护生命安全，疏散内圈人员 / Protect life: clear the inner cordon"
_CORDON = "设置警戒，维持外圈交通和秩序 / Hold the outer cordon: traffic and public order"
_INFO = "按时报告，统一发布信息 / Report on time and inform the public through one voice"


def _t(code, name, name_en, category, inner, outer, needs, first, event_codes=()) -> IncidentType:
    return IncidentType(
        code, name, name_en, category, float(inner), float(outer), tuple(needs), (first, _LIFE, _CORDON, _INFO),
        tuple(event_codes),
    )  # fmt: skip


# fmt: off
INCIDENT_TYPES: tuple[IncidentType, ...] = (
    # the standard's sudden events, by their legacy codes
    _t("0401", "路面塌陷", "Road collapse", K.ACCIDENT, 30, 100, (C.ROAD_REPAIR, C.RESCUE, C.POLICE),
       "查明塌陷范围和地下管线，防止二次塌陷 / Size the collapse and the pipes under it; prevent further collapse",
       ("0401",)),
    _t("0402", "自来水管破裂", "Water main burst", K.ACCIDENT, 50, 150, (C.WATER_REPAIR, C.PUMPING, C.POLICE),
       "关阀止水，排除积水，恢复供水 / Shut the valves, pump the water away, restore supply", ("0402",)),
    _t("0403", "燃气管道破裂", "Gas main rupture", K.ACCIDENT, 100, 300, (C.GAS_REPAIR, C.FIRE, C.POLICE),
       "切断气源，消除火源，防止爆炸 / Cut the gas, remove ignition sources, prevent explosion", ("0403",)),
    _t("0404", "下水道堵塞或破损", "Sewer blockage or break", K.ACCIDENT, 30, 100, (C.PUMPING, C.ROAD_REPAIR),
       "疏通排水，防止污水漫溢 / Clear the sewer, stop overflow", ("0404",)),
    _t("0405", "热力管道破裂", "Heating main burst", K.ACCIDENT, 50, 150, (C.HEATING_REPAIR, C.POLICE, C.MEDICAL),
       "关阀降压，防止烫伤，保障供热 / Isolate and depressurise, prevent scalding, keep homes heated",
       ("0405",)),
    _t("0406", "道路积水", "Road flooding", K.NATURAL_DISASTER, 100, 300, (C.PUMPING, C.POLICE, C.TRANSPORT),
       "排除积水，疏导交通 / Pump the water away and divert traffic", ("0406",)),
    _t("0407", "道路积雪结冰", "Snow and ice on roads", K.NATURAL_DISASTER, 200, 500, (C.ROAD_REPAIR, C.POLICE),
       "清雪除冰，保障主干道通行 / Clear snow and ice; keep the main roads open", ("0407", "10001")),
    _t("0408", "架空线缆损坏", "Fallen overhead cables", K.ACCIDENT, 30, 100, (C.POWER_REPAIR, C.POLICE),
       "断电隔离，防止触电 / De-energise and isolate; prevent electrocution", ("0408", "10002")),
    _t("0409", "群发性事件", "Mass incident", K.SOCIAL_SECURITY, 100, 300, (C.POLICE, C.MEDICAL),
       "控制事态，疏导人群 / Contain the situation and disperse the crowd safely", ("0409",)),
    _t("0499", "其他突发事件", "Other sudden event", K.ACCIDENT, 50, 200, (C.RESCUE, C.POLICE),
       "查明情况，控制险情 / Establish the facts and bring the hazard under control", ("0499",)),
    # the emergency plans' usual types
    _t("fire", "火灾", "Fire", K.ACCIDENT, 50, 200, (C.FIRE, C.RESCUE, C.MEDICAL, C.POLICE),
       "扑灭火灾，搜救被困人员 / Put out the fire and rescue anyone trapped"),
    _t("flood", "洪涝", "Flood", K.NATURAL_DISASTER, 500, 1500,
       (C.PUMPING, C.SEARCH_RESCUE, C.TRANSPORT, C.SUPPLIES),
       "转移受威胁群众，加固堤防 / Move people out of harm's way; hold the embankments"),
    _t("gas_leak", "燃气泄漏", "Gas leak", K.ACCIDENT, 100, 300, (C.GAS_REPAIR, C.FIRE, C.POLICE),
       "切断气源，通风检测，防止爆炸 / Cut the gas, ventilate and measure, prevent explosion"),
    _t("building_collapse", "建筑物倒塌", "Building collapse", K.ACCIDENT, 50, 200,
       (C.SEARCH_RESCUE, C.HEAVY_EQUIPMENT, C.MEDICAL, C.FIRE),
       "搜救被困人员，防止二次倒塌 / Search for and rescue the trapped; prevent secondary collapse"),
    _t("hazmat", "危险化学品泄漏", "Hazardous materials release", K.ACCIDENT, 300, 1000,
       (C.HAZMAT, C.FIRE, C.MEDICAL, C.POLICE),
       "堵漏洗消，监测扩散，下风向疏散 / Stop the release, decontaminate, monitor and evacuate downwind"),
    _t("explosion", "爆炸", "Explosion", K.ACCIDENT, 100, 500, (C.FIRE, C.SEARCH_RESCUE, C.MEDICAL, C.POLICE),
       "救治伤员，排查次生危险 / Treat the injured and search for secondary hazards"),
    _t("traffic_accident", "重大交通事故", "Major traffic accident", K.ACCIDENT, 50, 200,
       (C.RESCUE, C.MEDICAL, C.POLICE),
       "救出被困人员，救治伤员，恢复通行 / Extricate, treat the injured, reopen the road"),
    _t("earthquake", "地震", "Earthquake", K.NATURAL_DISASTER, 1000, 3000,
       (C.SEARCH_RESCUE, C.HEAVY_EQUIPMENT, C.MEDICAL, C.SUPPLIES),
       "搜救被困人员，安置受灾群众 / Search and rescue; shelter the people affected"),
    _t("mass_gathering", "人员密集场所拥挤踩踏", "Crowd crush at a mass gathering", K.SOCIAL_SECURITY, 100, 300,
       (C.POLICE, C.MEDICAL),
       "疏散人群，救治伤员 / Relieve the crowd pressure and treat the injured"),
    _t("epidemic", "传染病疫情", "Epidemic outbreak", K.PUBLIC_HEALTH, 200, 1000, (C.MEDICAL, C.POLICE, C.SUPPLIES),
       "隔离管控，流行病学调查 / Isolate, trace contacts and investigate"),
    _t("food_poisoning", "群体性食物中毒", "Mass food poisoning", K.PUBLIC_HEALTH, 50, 200, (C.MEDICAL,),
       "救治中毒人员，封存可疑食品 / Treat the poisoned and secure the suspect food"),
    _t("terror", "恐怖袭击", "Terrorist attack", K.SOCIAL_SECURITY, 200, 800, (C.POLICE, C.MEDICAL, C.FIRE),
       "控制现场，救治伤员，排查爆炸物 / Secure the scene, treat casualties, sweep for devices"),
)
# fmt: on

_BY_CODE = {t.code: t for t in INCIDENT_TYPES}
_BY_EVENT_CODE = {code: t for t in INCIDENT_TYPES for code in t.event_codes}


def incident_type(code: str) -> IncidentType:
    """A type by its own code, or by the everyday event type code (legacy 4-digit or GB 5-digit)."""
    code = (code or "").strip()
    found = _BY_CODE.get(code) or _BY_EVENT_CODE.get(code)
    if found is None:
        known = ", ".join(f"{t.code} {t.name}" for t in INCIDENT_TYPES)
        raise InputError(f"unknown incident type {code!r} (known: {known})")
    return found


def for_event_type(*codes: str | None) -> IncidentType | None:
    """The incident type an everyday event type code stands for, if any."""
    for code in codes:
        if code and code in _BY_EVENT_CODE:
            return _BY_EVENT_CODE[code]
    return None
