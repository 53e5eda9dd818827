"""The push service: ``POST /articles`` (``storystream worker ingest``)."""
