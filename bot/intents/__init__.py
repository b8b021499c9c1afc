"""What a message means: commands, menu keys and intents, from tables kept as data."""

from bot.intents.classifier import IntentClassifier, IntentMatch, load_classifier

__all__ = ["IntentClassifier", "IntentMatch", "load_classifier"]
