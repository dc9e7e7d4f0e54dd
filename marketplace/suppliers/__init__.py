"""The supplier registry (padrón de proveedores): profiles, categories, documents, catalogue."""
