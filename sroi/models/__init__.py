"""Packaged valuation models (JSON), one file per published model version."""
