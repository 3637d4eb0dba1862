# Backend settings for staging, passed with `backend-config: examples/terraform/backend/staging.local.hcl`.
# With the S3 backend this file would hold bucket, key, region and dynamodb_table / use_lockfile.
path = "state/staging.tfstate"
