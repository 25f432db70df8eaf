"""The matcher HTTP service (FastAPI). Translates HTTP to library calls; holds no solver logic."""
