"""An S3-compatible server for the tests: moto's standalone server on loopback, on a port the system picks.

``s3_server()`` starts it and yields its endpoint; ``bucket_storage(endpoint)`` makes a fresh bucket and gives the
``STORAGES["default"]`` entry that points the site at it, built from ``MEDIA_STORAGE_URL`` as production's is.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from django.conf import settings
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from ankasam_site.settings.storage import media_storage

REGION = "us-east-1"
KEY = "testing"


@contextmanager
def s3_server() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 and a free port; its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def storage_url(endpoint: str, bucket: str) -> str:
    return f"s3://{KEY}:{KEY}@{bucket}/media?endpoint_url={endpoint}&region_name={REGION}&addressing_style=path&default_acl=public-read"


def new_bucket(endpoint: str) -> str:
    bucket = f"ankasam-{uuid.uuid4().hex[:12]}"
    client(endpoint).create_bucket(Bucket=bucket)
    return bucket


def client(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=KEY, aws_secret_access_key=KEY
    )


def bucket_storages(endpoint: str, bucket: str) -> dict:
    """``STORAGES`` with uploads in ``bucket`` (static files as configured)."""
    return {
        "default": media_storage({"MEDIA_STORAGE_URL": storage_url(endpoint, bucket)}),
        "staticfiles": settings.STORAGES["staticfiles"],
    }


def object_names(endpoint: str, bucket: str) -> list[str]:
    pages = client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))
