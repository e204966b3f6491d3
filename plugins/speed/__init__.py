"""The speed layer: plugins that only make the build faster (docs/speed.md)."""
