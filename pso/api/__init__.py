"""HTTP API controllers, one module per capability; each exposes `ROUTES` (pso.app lists them)."""
