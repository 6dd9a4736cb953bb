"""The core: records and errors that every stage shares; imports nothing else of searcher."""
