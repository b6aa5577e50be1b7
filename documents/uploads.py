"""An uploaded file kept between the import page's preview and its save (the preview re-posts
the text; the file waits in storage under a token the form carries back), so that the notice
keeps the file it was read from."""

import datetime
import hashlib
import re
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import get_valid_filename

from .textfiles import SUFFIXES

STASH_DIR = "imports"
STASH_NAME = re.compile(r"^[0-9a-f]{64}/[^/\\]{1,120}$")
STASH_HOURS = 24


def stash_upload(name: str, data: bytes) -> str:
    """Keep an uploaded file until its notice is saved; returns the token the form sends back.
    Stashes older than STASH_HOURS (previews never saved) are cleared on the way."""
    _clear_old_stashes()
    try:
        safe = get_valid_filename(Path(name).name)[-120:]
    except SuspiciousFileOperation:  # a name of dots only
        safe = "upload" + Path(name).suffix
    token = f"{hashlib.sha256(data).hexdigest()}/{safe}"
    path = f"{STASH_DIR}/{token}"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(data))
    return token


def stashed_upload(token: str) -> tuple[str, bytes] | None:
    """(file name, bytes) of a stashed upload, or None for a token that names none (made up,
    tampered with, or cleared)."""
    if not STASH_NAME.match(token or "") or not token.lower().endswith(SUFFIXES):
        return None
    path = f"{STASH_DIR}/{token}"
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as file:
        data = file.read()
    if hashlib.sha256(data).hexdigest() != token.split("/")[0]:
        return None
    return token.split("/", 1)[1], data


def drop_stash(token: str) -> None:
    if STASH_NAME.match(token or ""):
        default_storage.delete(f"{STASH_DIR}/{token}")


def _clear_old_stashes() -> None:
    try:
        folders, _ = default_storage.listdir(STASH_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - datetime.timedelta(hours=STASH_HOURS)
    for folder in folders:
        for name in default_storage.listdir(f"{STASH_DIR}/{folder}")[1]:
            path = f"{STASH_DIR}/{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
