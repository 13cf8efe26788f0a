from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "renda.bench"
    label = "bench"
    verbose_name = "Benchmarks"

    def ready(self) -> None:
        from renda.bench import recovery  # noqa: F401 - registers `renda bench recovery`
