"""Records, vocabularies, validation and derived values. No Qt, no SQL."""
