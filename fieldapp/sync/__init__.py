"""Site identity, hybrid logical clock, sync bundles and merge. No Qt."""
