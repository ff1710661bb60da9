"""Credentials and transport: token sources and their refresh worker, signing each attempt
(httpx's Auth flow), where requests go (base URL, hosts, origins, locations) and hints for routes
Vertex does not serve. The folder imports nothing itself."""
