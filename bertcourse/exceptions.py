"""Errors the course raises, each naming the problem and the fix."""

from __future__ import annotations


class BertCourseError(Exception):
    """Base class for every error raised by :mod:`bertcourse`."""


class SettingsError(BertCourseError, ValueError):
    """A setting (environment variable or :func:`bertcourse.configure` argument) is invalid."""


class ModelUnavailableError(BertCourseError, OSError):
    """No source (Hub, local cache, packaged offline model) can serve the requested model."""


class DataUnavailableError(BertCourseError, OSError):
    """No source (Hub, local folder, generated set) can serve the requested data set."""


class UnknownTaskError(BertCourseError, KeyError):
    """A task or data set name the course does not know."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class MetricInputError(BertCourseError, ValueError):
    """Predictions or references handed to a metric are malformed."""


class RemovedArgumentError(BertCourseError, TypeError):
    """A transformers-4 argument that transformers 5 no longer accepts."""


class PlotInputError(BertCourseError, ValueError):
    """The data handed to a plot has the wrong shape or size."""


class HubLoadError(BertCourseError, OSError):
    """The Hub could not serve a model or data set asked for by name, and no substitute
    may stand in (full mode, not offline on purpose)."""


class SubstitutionWarning(UserWarning):
    """Something else stands in for a model or data set asked for by name (fast mode,
    Hub failed or out of reach). Set ``BERTCOURSE_OFFLINE=1`` to substitute on purpose."""


class InterpretError(BertCourseError, ValueError):
    """An input handed to an interpretability helper is malformed."""


class StandInDataError(BertCourseError, ValueError):
    """Data handed to a stand-in's preparation cannot be used."""


class ArtifactError(BertCourseError, OSError):
    """A saved lesson model is missing or unusable and may not be trained here."""


class VariantError(BertCourseError, ValueError):
    """A variant name or measurement setting the course does not know how to handle."""


class PrefetchError(BertCourseError, ValueError):
    """A prefetch request the course cannot serve (unknown mode, Hub out of reach)."""


class QAInputError(BertCourseError, ValueError):
    """A question, context or window setting cannot be used for question answering."""


class NotLearningWarning(UserWarning):
    """A fine-tuning run ended where an untrained model would be."""
