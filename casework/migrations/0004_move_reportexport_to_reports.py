# ReportExport moved to the reports app. Its table stays (casework_reportexport):
# this migration only removes the model from casework's state; reports 0001 adds
# it to the reports app's state with the same table.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0003_assessment_placement_date'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ReportExport')],
            database_operations=[],
        ),
    ]
