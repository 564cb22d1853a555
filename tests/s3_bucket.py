"""A real local S3 server (moto in server mode on 127.0.0.1) and a bucket on it that Django's
default storage points at, as settings.py builds it from the S3_* variables. Import the
fixtures into a test module that talks to S3."""

from __future__ import annotations

import boto3
import pytest
from moto.server import ThreadedMotoServer

from common.storage import s3_storage_options

BUCKET = "aic-media"
SIGNED_URL_EXPIRE = 300


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    # The same options settings.py builds from the S3_* variables.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage_options(
            bucket=BUCKET,
            endpoint_url=s3_server,
            region="us-east-1",
            access_key="testing",
            secret_key="testing",
            addressing_style="path",
            signed_url_expire=SIGNED_URL_EXPIRE,
        ),
    }

    def keys() -> list[str]:
        listing = client.list_objects_v2(Bucket=BUCKET)
        return sorted(obj["Key"] for obj in listing.get("Contents", []))

    yield keys
    for key in keys():
        client.delete_object(Bucket=BUCKET, Key=key)
    client.delete_bucket(Bucket=BUCKET)
