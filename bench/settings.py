"""Settings for running benchmarks: the test settings plus the bench-only models.

The bench app (bench/models.py) is installed only here, never in the product.
"""

import os
import secrets
import tempfile

from config.settings_test import *  # noqa: F403
from config.settings_test import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

# django-fernet-encrypted-fields, the comparison baseline, derives its key
# from SECRET_KEY and SALT_KEY.
SALT_KEY = [secrets.token_hex(16)]

if DATABASES["default"]["ENGINE"] == "config.sqlite3":
    # An on-disk database, as in production, in a throw-away directory.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.mkdtemp(prefix="stegvis-bench-"), "bench.sqlite3")
    }
