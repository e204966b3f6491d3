"""Below these counts one process is as fast as forking workers.

Starting the workers costs about 40 ms; reading a file about 2 ms and rendering
a page about 0.6 ms on one core.
"""

MIN_FILES = 50  # Markdown files to read
MIN_PAGES = 150  # pages to render
