"""Benchmarks: one script per measured thing, each printing figures and ratios measured in the
same run. Not part of ``make test``; ``make bench`` runs them all."""
