"""Pure translation of a resolved spec (and an optional time window) into a Plan."""

from engine.compile.compiler import compile_audio_plan, compile_plan, compile_still
from engine.compile.plan import Plan

__all__ = ["Plan", "compile_audio_plan", "compile_plan", "compile_still"]
