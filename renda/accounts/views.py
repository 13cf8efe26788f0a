from django.http import HttpResponse


def lockout(request, credentials, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("locked", status=429)
