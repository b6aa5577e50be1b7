"""
WSGI config for policyhub project.

It exposes the WSGI callable as a module-level variable named ``application``, warmed up
(``policyhub.warmup``) so that a worker's first reader does not wait for Django's lazy loading.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings")

application = get_wsgi_application()

from policyhub.warmup import warm_up  # noqa: E402 — needs the apps that the line above sets up

warm_up()
