"""TranslationState moves here from the articles app, where it was made (``articles.0004_translation_state``).

The table stays as it is (``articles_translationstate``); only Django's record of which app owns the model changes,
and the model's content type is relabelled so the translators' and editors' permissions (and the groups holding
them) follow it: ``articles.translate_ru`` becomes ``publishing.translate_ru``. A new database gets the table from
the articles migrations that come first.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="translationstate").exists():
        ContentType.objects.filter(app_label=old, model="translationstate").update(app_label=new)


def relabel_content_type(apps, schema_editor):
    _relabel(apps, "articles", "publishing")


def relabel_content_type_back(apps, schema_editor):
    _relabel(apps, "publishing", "articles")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('articles', '0007_released_variants'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='TranslationState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField(verbose_name='object id')),
                ('language', models.CharField(choices=[('tr', 'Türkçe'), ('en', 'English'), ('ru', 'Русский')], max_length=8, verbose_name='language')),
                ('source_hash', models.CharField(max_length=64, verbose_name='source fingerprint')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last saved')),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype', verbose_name='content type')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by')),
            ],
            options={
                'verbose_name': 'translation state',
                'verbose_name_plural': 'translation states',
                'db_table': 'articles_translationstate',
                'ordering': ['content_type', 'object_id', 'language'],
                'permissions': [('publish_article', 'Can publish articles and edit every language and shared field (editor)'), ('translate_tr', 'Can edit the Türkçe (tr) texts (translator)'), ('translate_en', 'Can edit the English (en) texts (translator)'), ('translate_ru', 'Can edit the Русский (ru) texts (translator)')],
                'constraints': [models.UniqueConstraint(fields=('content_type', 'object_id', 'language'), name='translation_state_unique')],
            },
        )]),
        migrations.RunPython(relabel_content_type, relabel_content_type_back),
    ]
