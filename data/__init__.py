"""The city model: SQLAlchemy models, geometry, spatial index, importers/exporters, demo city."""
