"""The bundled TAPI simulator (placeholder; replaced by the simulator work)."""
