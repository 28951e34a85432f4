"""The spec: pydantic models (engine.spec.models, with the layer types' own models from
engine/layers/), YAML loading with source locations (engine.spec.loader), JSON Schema export
(engine.spec.schema)."""
