"""
ASGI config for policyhub project.

It exposes the ASGI callable as a module-level variable named ``application``, warmed up
(``policyhub.warmup``) as the WSGI one is.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings")

application = get_asgi_application()

from policyhub.warmup import warm_up  # noqa: E402 — needs the apps that the line above sets up

warm_up()
