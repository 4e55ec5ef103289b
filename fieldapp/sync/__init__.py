"""Site identity, sync bundles (export, import, their checks) and merge; the clock is in fieldapp.core. No Qt."""
