"""The one error the search plugin raises: the build stops and says why."""


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site, or wrote an index we cannot make stable."""
