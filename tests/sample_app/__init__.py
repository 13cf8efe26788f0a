"""A made-up domain app that plugs into Renda the way every app does, without touching web or
api: one INSTALLED_APPS line (``settings.py``), one URL line (``root_urls.py``); an app inside
``renda`` would add one line to the layers contract in pyproject.toml as well."""
