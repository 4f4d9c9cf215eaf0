"""The translators' roles as groups.

"Editor": everything on articles, references, tags, categories and authors, ``publish_article`` and every
``translate_<language>``. Per language, "Translator (<code>)": view and change those models, and ``translate_<code>``
(``articles.workflow_roles``, now ``publishing.workflow.roles`` limits them to that language's fields; they never add, delete or publish).
Existing translations need no data here: the first write to an object records the fingerprint of its source as
it was stored before (``publishing.workflow.services.translation_note_changes``).
"""
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MODELS = {"articles": ("article", "reference", "tag", "category"), "authors": ("author",)}


def _model_permissions(Permission, actions):
    codenames = [f"{action}_{model}" for models in CONTENT_MODELS.values() for model in models for action in actions]
    return Permission.objects.filter(content_type__app_label__in=CONTENT_MODELS, codename__in=codenames)


def create_roles(apps, schema_editor):
    # Permissions are made after the last migration; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    workflow_permissions = Permission.objects.filter(content_type__app_label="articles", content_type__model="translationstate")
    editor, _created = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *_model_permissions(Permission, ("view", "add", "change", "delete")),
        *workflow_permissions.filter(codename__in=["publish_article", *[f"translate_{code}" for code, _n in settings.LANGUAGES]]),
    )
    for code, _name in settings.LANGUAGES:
        group, _created = Group.objects.get_or_create(name=f"Translator ({code})")
        group.permissions.add(
            *_model_permissions(Permission, ("view", "change")),
            *workflow_permissions.filter(codename=f"translate_{code}"),
        )


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["Editor", *[f"Translator ({code})" for code, _n in settings.LANGUAGES]]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_translation_state"),
        ("authors", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_roles, remove_roles),
    ]
