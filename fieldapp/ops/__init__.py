"""Use cases both front ends call (docs/DESIGN.md 8): each is one transaction and returns its Changes; no Qt."""
