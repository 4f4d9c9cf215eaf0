from django.test import TestCase
from articles.models import SearchEntry
from articles.search import SearchTerms
from articles.search.backends import search_backend
from articles.search.index import search_index_rebuild
class T(TestCase):
    fixtures = ["01_taxonomy", "02_authors", "03_articles"]
    def test_x(self):
        print(SearchEntry.objects.count())
        search_index_rebuild()
        for lang, qs in {"en": ["PUTIN","putin","CHINA","china","SANCTIONS","sanctions","RELATIONS","relations","sanctoins","chian", '"south korea"', "securi"], "ru": ["ПУТИН","путин","КИТАЙ","санкции","САНКЦИИ","санкцйи"], "tr": ["ÇİN","çin","YAPTIRIM","yaptırım","IRAK","yaptrım"]}.items():
            for q in qs:
                t = SearchTerms.parse(q, lang)
                r = search_backend().results(t)
                print(lang, q, r.count(), search_backend().did_you_mean(t) if not r.count() else "", [e.article.pk for e in r[0:10]])
        for e in search_backend().results(SearchTerms.parse("korea", "en"))[0:3]:
            print(e.article.title, t.excerpt(e.article.highlights, e.article.body)[:300])
