"""The two extraction stages as faust workers: thin wiring from article-annotations to the
storystream components (services.pipeline) and their topics."""
