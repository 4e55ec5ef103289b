"""fieldapp: offline, encrypted record keeping for UN protection staff in field offices."""

__version__ = "0.1.0"
# The day this version was released: a laptop whose clock reads earlier than this is wrong (docs/DESIGN.md 5).
RELEASE_DATE = "2026-12-01"
APP_ID = "org.fieldapp.FieldApp"
APP_NAME = "fieldapp"
