"""What every layer may use (docs/DESIGN.md section 8): the hybrid logical clock and the age stream helpers."""
