"""The published JSON Schemas, shipped as package data (generated; see poletype._schemas)."""
