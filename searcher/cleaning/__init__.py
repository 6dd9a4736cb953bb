"""The cleaner: a seed (text capture or HTML page) -> a Document of the article alone."""
