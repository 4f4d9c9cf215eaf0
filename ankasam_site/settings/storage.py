"""Where uploads live: the local media folder (the embedded default) or an S3-compatible bucket.

Several app servers must see the same uploads and renditions, so production keeps them in object storage (AWS S3,
MinIO, Ceph RGW, Cloudflare R2, …) through django-storages' S3 backend. The bucket is named in one of two ways:

- ``MEDIA_STORAGE_URL=s3://[KEY:SECRET@]bucket[/prefix][?endpoint_url=…&region_name=…&custom_domain=…]``: one
  variable, convenient where every service is configured by URL (like ``DATABASE_URL``);
- or the ``AWS_*`` variables django-storages documents: ``AWS_STORAGE_BUCKET_NAME`` (required), ``AWS_LOCATION``,
  ``AWS_S3_ENDPOINT_URL``, ``AWS_S3_REGION_NAME``, ``AWS_S3_CUSTOM_DOMAIN``, ``AWS_S3_ADDRESSING_STYLE``,
  ``AWS_S3_URL_PROTOCOL``, ``AWS_DEFAULT_ACL``; the keys come from ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` (or an instance role).

Stored names are generated and never reused (uploads: a UUID; renditions: a hash of the recipe), so objects are
served publicly without signatures and marked immutable: a CDN in front of the bucket (``custom_domain``) caches
them for good. Existing names are never overwritten. Readers must be able to read the objects: give the bucket
(or its prefix) a public-read policy, or let the CDN read it, or, on stores that still use ACLs, set
``default_acl=public-read`` (``AWS_DEFAULT_ACL``).
"""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
# Every stored name is new (publishing.images.GeneratedImagePath, imagekit's hashed names): a year, never revalidated.
IMMUTABLE = "public, max-age=31536000, immutable"
# Query parameters of MEDIA_STORAGE_URL, each an option of django-storages' S3Storage.
URL_OPTIONS = ("endpoint_url", "region_name", "custom_domain", "addressing_style", "url_protocol", "default_acl")
# The AWS_* variables read from the environment, by the S3Storage option each sets.
ENV_OPTIONS = {
    "bucket_name": "AWS_STORAGE_BUCKET_NAME",
    "location": "AWS_LOCATION",
    "endpoint_url": "AWS_S3_ENDPOINT_URL",
    "region_name": "AWS_S3_REGION_NAME",
    "custom_domain": "AWS_S3_CUSTOM_DOMAIN",
    "addressing_style": "AWS_S3_ADDRESSING_STYLE",
    "url_protocol": "AWS_S3_URL_PROTOCOL",
    "default_acl": "AWS_DEFAULT_ACL",
}


def media_storage(environ: Mapping[str, str]) -> dict:
    """The ``STORAGES["default"]`` entry the environment asks for: S3 when a bucket is named, else the class in
    ``DJANGO_MEDIA_STORAGE`` (the local folder by default)."""
    url = environ.get("MEDIA_STORAGE_URL", "").strip()
    if url:
        options = _options_from_url(url)
    elif environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
        options = {option: environ[name].strip() for option, name in ENV_OPTIONS.items() if environ.get(name, "").strip()}
    else:
        return {"BACKEND": environ.get("DJANGO_MEDIA_STORAGE") or FILESYSTEM_BACKEND}
    options.update(querystring_auth=False, file_overwrite=False, object_parameters={"CacheControl": IMMUTABLE})
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def _options_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured(f"MEDIA_STORAGE_URL must look like s3://bucket[/prefix][?endpoint_url=…], not {url!r}")
    query = dict(parse_qsl(parts.query))
    unknown = sorted(set(query) - set(URL_OPTIONS))
    if unknown:
        raise ImproperlyConfigured(f"MEDIA_STORAGE_URL: unknown option(s) {', '.join(unknown)}; known: {', '.join(URL_OPTIONS)}")
    # The host keeps the bucket's case (urlsplit's hostname is lower-cased; S3 bucket names are lower case anyway).
    options = {"bucket_name": parts.netloc.rpartition("@")[2], **query}
    if parts.path.strip("/"):
        options["location"] = parts.path.strip("/")
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return options


def media_origin(storage: dict, media_url: str) -> str | None:
    """The origin (``https://host``) the browser loads uploads from, for the Content-Security-Policy; None when they
    come from the site itself."""
    options = storage.get("OPTIONS", {})
    if storage["BACKEND"] != S3_BACKEND:
        parts = urlsplit(media_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None
    protocol = options.get("url_protocol", "https:")
    if options.get("custom_domain"):
        return f"{protocol}//{options['custom_domain'].split('/')[0]}"
    if options.get("endpoint_url"):
        parts = urlsplit(options["endpoint_url"])
        return f"{parts.scheme}://{parts.netloc}"
    region = options.get("region_name")
    host = f"s3.{region}.amazonaws.com" if region else "s3.amazonaws.com"
    return f"https://{options['bucket_name']}.{host}" if options.get("addressing_style") != "path" else f"https://{host}"
