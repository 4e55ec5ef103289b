"""The GBVIMS Incident Recorder's workbook layout: its "Incident Data" sheet (one row per
incident, upper-case headers in a fixed order) and its coded values, as the GBVIMS tools and
Primero's Incident Recorder exporter use them. Facts carried over; the code is ours.

What the app does not hold is left blank (date of birth, ethnicity, marital status, the
perpetrator's relationship to the survivor, case manager codes): never a name, never notes.
"""

from __future__ import annotations

SHEET = "Incident Data"
MENU_SHEET = "Menu Data"
DATE_FORMAT = "%d-%b-%Y"  # 05-Mar-2026, as the Incident Recorder's date cells expect

COLUMNS = [
    "INCIDENT ID", "SURVIVOR CODE", "CASE MANAGER CODE", "DATE OF INTERVIEW", "DATE OF INCIDENT", "DATE OF BIRTH",
    "SEX", "ETHNICITY", "COUNTRY OF ORIGIN", "CIVIL / MARITAL STATUS", "DISPLACEMENT STATUS AT REPORT",
    "PERSON WITH DISABILITY?", "UNACCOMPANIED OR SEPARATED CHILD?", "STAGE OF DISPLACEMENT AT INCIDENT",
    "INCIDENT TIME OF DAY", "INCIDENT LOCATION", "INCIDENT COUNTY", "INCIDENT DISTRICT", "INCIDENT CAMP / TOWN",
    "GBV TYPE", "HARMFUL TRADITIONAL PRACTICE", "MONEY, GOODS, BENEFITS AND / OR SERVICES EXCHANGED ?",
    "TYPE OF ABDUCTION", "PREVIOUSLY REPORTED THIS INCIDENT?", "PREVIOUS GBV INCIDENTS?",
    "No. ALLEGED PRIMARY PERPETRATOR(S)", "ALLEGED PERPETRATOR SEX", "PREVIOUS INCIDENT WITH THIS PERPETRATOR",
    "ALLEGED PERPETRATOR AGE GROUP", "ALLEGED PERPETRATOR - SURVIVOR RELATIONSHIP", "ALLEGED PERPETRATOR OCCUPATION",
    "REFERRED TO YOU FROM?", "SAFE HOUSE / SHELTER", "HEALTH / MEDICAL SERVICES", "PSYCHOSOCIAL SERVICES",
    "WANTS LEGAL ACTION?", "LEGAL ASSISTANCE SERVICES", "POLICE / OTHER SECURITY ACTOR", "LIVELIHOODS PROGRAM",
    "CONSENT GIVEN", "REPORTING AGENCY CODE",
]

SEX = {"female": "F", "male": "M"}
GBV_TYPE = {
    "rape": "Rape", "sexual_assault": "Sexual Assault", "physical_assault": "Physical Assault",
    "forced_marriage": "Forced Marriage", "denial_of_resources": "Denial of Resources, Opportunities or Services",
    "psychological_abuse": "Psychological / Emotional Abuse", "non_gbv": "Non-GBV",
}
DISPLACEMENT = {"resident": "Resident", "idp": "IDP", "refugee": "Refugee", "returnee": "Returnee"}
DISABILITY = {"yes": "Yes", "no": "No"}
# "Referred to you from?" has fewer values than our entry points: those without their own become "Other".
REFERRED_FROM = {
    "self": "Self Referral / First Point of Contact", "health_facility": "Health / Medical Services",
    "police": "Police / Other Security Actor", "community_focal_point": "Community or Camp Leader",
    "ngo": "Other Humanitarian or Development Actor", "can": "Other", "peacekeepers": "Other", "other": "Other",
}
FROM_REFERRED = {
    "Self Referral / First Point of Contact": "self", "Health / Medical Services": "health_facility",
    "Police / Other Security Actor": "police", "Community or Camp Leader": "community_focal_point",
    "Other Humanitarian or Development Actor": "ngo", "Other": "other", "Teacher / School Official": "other",
    "Psychosocial / Counseling Services": "ngo", "Legal Assistance Services": "ngo", "Livelihoods Program": "ngo",
    "Safe House / Shelter": "ngo", "Other Government Service": "other",
}
# One column per service the Incident Recorder follows, and the sector it is in the app.
SERVICE_COLUMNS = {
    "SAFE HOUSE / SHELTER": "shelter", "HEALTH / MEDICAL SERVICES": "health", "PSYCHOSOCIAL SERVICES": "psychosocial",
    "LEGAL ASSISTANCE SERVICES": "legal", "POLICE / OTHER SECURITY ACTOR": "safety", "LIVELIHOODS PROGRAM": "livelihoods",
}
REFERRED = "Referred"
SERVICE_VALUE = {
    "referred": REFERRED, "accepted": REFERRED, "completed": REFERRED, "rejected": REFERRED,
    "declined": "Referral declined by survivor", "unavailable": "Service unavailable",
}
# The value in the sheet -> the service status it becomes here ("" = no service recorded).
SERVICE_STATUS = {
    REFERRED: "referred", "Referral declined by survivor": "declined", "Service unavailable": "unavailable",
    "Service provided by your agency": "", "Services already received from another agency": "",
    "Service not applicable": "",
}


def reverse(mapping: dict[str, str]) -> dict[str, str]:
    return {value.casefold(): key for key, value in mapping.items()}
