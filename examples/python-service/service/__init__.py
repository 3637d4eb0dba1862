"""A small orders service: standard library only, so it runs anywhere Python 3.10+ does."""
