"""Renda's settings plus the sample app: the one INSTALLED_APPS line a new app needs."""

from renda.settings import *  # noqa: F403
from renda.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.sample_app"]
ROOT_URLCONF = "tests.sample_app.root_urls"
