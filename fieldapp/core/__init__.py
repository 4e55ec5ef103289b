"""What every layer may use (DESIGN.md section 8): the hybrid logical clock and the age stream helpers."""
