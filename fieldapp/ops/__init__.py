"""Use cases both front ends call (DESIGN.md 8): each one transaction, no Qt."""
