# The moto S3 server and bucket (tests/s3_bucket.py), for the S3 tests of this folder.
from tests.s3_bucket import bucket, s3_server  # noqa: F401
