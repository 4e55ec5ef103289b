"""fieldapp: offline, encrypted record keeping for UN protection staff in field offices."""

__version__ = "0.1.0"
APP_ID = "org.fieldapp.FieldApp"
APP_NAME = "fieldapp"
