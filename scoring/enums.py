"""Enumerated input values (public contract, spec §2.1–2.2)."""
from typing import Literal, get_args

StartingPosition = Literal[
    "wsw", "participatiewet", "nug_sroi", "statushouder", "ukraine_protection", "wia_wao_waz",
    "wajong", "vso_pro", "wiw_id", "target_group_register", "status_lost", "young_disabled",
    "ww", "bbl_bol_1", "vso_pro_pupil", "bbl_bol_2", "bbl_bol_3", "bbl_bol_4",
]
ContractType = Literal["regular", "supported", "secondment", "internship", "trial"]
SupplierKind = Literal["pso_certified", "sw_company"]
TargetRung = Literal["trede1", "trede2", "trede3"]

STARTING_POSITIONS: tuple[str, ...] = get_args(StartingPosition)
CONTRACT_TYPES: tuple[str, ...] = get_args(ContractType)

# All rungs, lowest first (spec §1).
RUNGS = ("none", "aspirant", "basistrede", "trede1", "trede2", "trede3")
RUNG_ORDER = {r: i for i, r in enumerate(RUNGS)}

QUALITY_CRITERIA = ("suitableWork", "integration", "development", "guidance")

# Input date fields a rulebook window may refer to (camelCase name -> attribute).
WINDOW_DATE_FIELDS = {
    "employmentStart": "employment_start",
    "schoolLeftOn": "school_left_on",
    "wageSubsidyUntil": "wage_subsidy_until",
    "wswIndicationUntil": "wsw_indication_until",
}
