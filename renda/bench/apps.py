from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "renda.bench"
    label = "bench"
    verbose_name = "Benchmarks"
