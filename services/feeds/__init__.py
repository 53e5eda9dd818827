"""The feeds worker: polls RSS, Atom, JSON Feed and news sitemaps, fetches each new item's page,
extracts the article and publishes it once (``storystream worker feeds``)."""
