"""PSO service: the web service, persistence, API, services and CLI."""

API_VERSION = "1.0"
