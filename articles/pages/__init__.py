"""What readers see: the public pages of the articles app and what serves them.

- ``views`` (home, article, tag, category, search, the editors' preview) and ``authors`` (the author pages);
- ``reading``: the article page's data through the ORM (the article, its stored Similar Posts, its neighbours in
  the category, its authors, tags and references: at most four queries);
- ``seo``: titles, descriptions, social and structured data; ``feeds``: RSS and Atom; ``sitemaps``;
- ``caching``: the page cache, whose pages are forgotten exactly when a save changes what they show.
"""
