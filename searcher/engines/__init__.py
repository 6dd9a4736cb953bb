"""Engines that store and search Documents behind one interface."""
