"""Stored Similar Posts lists (articles.similar): one header per article and language, and its ranked rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0002_searchentry'),
    ]

    operations = [
        migrations.CreateModel(
            name='SimilarArticle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(choices=[('tr', 'Türkçe'), ('en', 'English'), ('ru', 'Русский')], max_length=8, verbose_name='language')),
                ('shared_tags', models.PositiveIntegerField(verbose_name='shared tags')),
                ('similar_published_at', models.DateTimeField()),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='similar_links', to='articles.article')),
                ('similar', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.article')),
            ],
            options={
                'verbose_name': 'similar article',
                'verbose_name_plural': 'similar articles',
                'ordering': ['article_id', 'language', '-shared_tags', '-similar_published_at', '-similar_id'],
                'indexes': [models.Index(fields=['article', 'language', '-shared_tags', '-similar_published_at', '-similar'], name='similar_article_rank_idx'), models.Index(fields=['similar', 'language'], name='similar_article_similar_idx')],
                'constraints': [models.UniqueConstraint(fields=('article', 'language', 'similar'), name='similar_article_unique')],
            },
        ),
        migrations.CreateModel(
            name='SimilarList',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(choices=[('tr', 'Türkçe'), ('en', 'English'), ('ru', 'Русский')], max_length=8, verbose_name='language')),
                ('has_more', models.BooleanField(default=False)),
                ('floor_shared', models.PositiveIntegerField(default=0)),
                ('floor_published_at', models.DateTimeField(blank=True, null=True)),
                ('floor_similar_id', models.BigIntegerField(default=0)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='similar_lists', to='articles.article')),
            ],
            options={
                'verbose_name': 'similar posts list',
                'verbose_name_plural': 'similar posts lists',
                'ordering': ['article_id', 'language'],
                'constraints': [models.UniqueConstraint(fields=('article', 'language'), name='similar_list_unique')],
            },
        ),
    ]
