"""The live story board (``storystream board``): a web page over ``story-state``."""
