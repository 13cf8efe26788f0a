from django.apps import AppConfig


class SampleConfig(AppConfig):
    name = "tests.sample_app"
    label = "sample_app"
    verbose_name = "样例应用"

    def ready(self) -> None:
        # Everything an app contributes, registered from its own ready(): a menu entry, an API
        # router and a workbench panel.
        from renda.api import registry
        from renda.core import workbench
        from renda.core.models import Role
        from renda.web import menu
        from tests.sample_app import api

        menu.register(
            menu.Entry(
                "sample", "样例台账", "sample_app:index", 125, menu.signed_in, [("sample_app", "")]
            )
        )
        registry.register("/sample", api.build_router, order=200)
        workbench.register(
            workbench.Panel(
                key="sample.greeting",
                title="样例待办",
                roles=frozenset({Role.OFFICE}),
                build=lambda user: {"name": user.display_name},
                template="sample_app/panel.html",
                order=95,
            )
        )
