"""The REST API: blueprints per area, one endpoint decorator, one error mapping, the OpenAPI document."""
