"""What every layer may use (docs/DESIGN.md section 8): the contract types of a change and a list query, the
hybrid logical clock and the age stream helpers. Imports nothing else of fieldapp but i18n and errors."""
