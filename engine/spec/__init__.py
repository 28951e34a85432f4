"""The spec: pydantic models, YAML loading with source locations, JSON Schema export."""

from engine.spec.loader import load_spec, load_spec_text
from engine.spec.models import Spec

__all__ = ["Spec", "load_spec", "load_spec_text"]
