"""The translators' workflow, for any model translated with django-modeltranslation.

- ``units``: what is translated (units of text), fingerprints of source texts, each language's status;
- ``roles``: who may edit which language (editors, translators per language);
- ``queries``: the same rules as SQL conditions, for lists, filters and the dashboard;
- ``services``: every write of ``TranslationState`` (``publishing.models``);
- ``admin``: the admin mixins, filter and actions that apply them.
"""
