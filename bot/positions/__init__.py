"""The position catalogue: import, features, index, matching and recommendation."""
