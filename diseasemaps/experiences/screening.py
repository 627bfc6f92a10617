"""The personal-data check of posts: the patterns are core's (core/screening.py), shared with
the apps below; this module keeps the names the experiences app has always imported."""

from diseasemaps.core.screening import Finding, describe, find_personal_data

__all__ = ["Finding", "describe", "find_personal_data"]
