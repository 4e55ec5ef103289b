"""Record forms (new / edit) with inline validation messages."""
