"""SearchWord, the vocabulary of "did you mean", with its trigram index (pg_trgm).

PostgreSQL's trigram similarity finds the published words nearest a misspelt one
through a GIN index; SQLite (the development database) has neither the extension nor
the index, and the search compares words in Python there (assessments.search).
The words of what is already published are read from the search index.
"""

from django.db import migrations, models

TRIGRAM_INDEX = (
    "CREATE INDEX search_word_trigram ON assessments_searchword USING gin (word gin_trgm_ops)"
)


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(TRIGRAM_INDEX)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_word_trigram")


def fill(apps, schema_editor):
    SearchEntry = apps.get_model("assessments", "SearchEntry")
    SearchWord = apps.get_model("assessments", "SearchWord")
    from assessments.search_index import BATCH, words_of

    words = set()
    for text, terms in SearchEntry.objects.values_list("text", "terms").iterator():
        words |= words_of(text) | words_of(terms)
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], batch_size=BATCH
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0015_publication_dates"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=40, primary_key=True, serialize=False)),
            ],
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
