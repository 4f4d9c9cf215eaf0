"""TranslationState now belongs to the shared core (``publishing.0001_initial``): its table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0007_released_variants'),
        ('publishing', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name='TranslationState')]),
    ]
