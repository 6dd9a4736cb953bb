"""The embedded engine: a Whoosh index in a folder. Only this package imports whoosh.

Importing it makes Whoosh read every pickle of an index through ``unpickling`` (an index
from elsewhere cannot run code), before any module of it opens one.
"""

from .unpickling import install

install()
