"""The embedded engine: a Whoosh index in a folder. Only this package imports whoosh."""
