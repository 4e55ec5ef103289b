"""Input widgets shared by the forms and list filters: vocabularies, dates, places, inline errors."""
