"""The web dashboard, its JSON twins and the /api/v1 API: views over the observatory."""
