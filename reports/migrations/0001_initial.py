# ReportExport moved here from casework with its table (casework_reportexport) and
# its rows: the state is created, the database is left as it is, and the model's
# content type is renamed so that permissions and admin history follow it.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to_reports(apps, schema_editor):
    content_type = apps.get_model('contenttypes', 'ContentType')
    db = schema_editor.connection.alias
    if not content_type.objects.using(db).filter(app_label='reports', model='reportexport').exists():
        content_type.objects.using(db).filter(
            app_label='casework', model='reportexport'
        ).update(app_label='reports')


def content_type_to_casework(apps, schema_editor):
    content_type = apps.get_model('contenttypes', 'ContentType')
    db = schema_editor.connection.alias
    content_type.objects.using(db).filter(app_label='reports', model='reportexport').update(
        app_label='casework'
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('casework', '0004_move_reportexport_to_reports'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReportExport',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('created_role', models.CharField(max_length=16, verbose_name='role')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('anonymised', models.BooleanField(default=True, verbose_name='anonymised')),
                        ('parameters', models.JSONField(default=dict, verbose_name='parameters')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=16, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                        ('files', models.JSONField(default=list, verbose_name='files')),
                        ('error', models.CharField(blank=True, max_length=200, verbose_name='error')),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'report export',
                        'verbose_name_plural': 'report exports',
                        'db_table': 'casework_reportexport',
                        'ordering': ['-created_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='report_export_progress_range'), models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'running', 'done', 'failed'])), name='report_export_status_valid')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_reports, content_type_to_casework),
    ]
