"""PSO service: the web service, persistence, API, services and CLI."""

API_VERSION = "1.0.0"  # semver; the API-Version header and info.version (major = /api/v1)
